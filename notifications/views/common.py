"""What every incident page needs: signed in (keeping typed input) and a case role."""

from __future__ import annotations

from safeguarding.permissions import case_role_required

#: Signed in (keeping typed input across a timeout) and a case role, or 403.
case_view = case_role_required(message="Only a partnership’s business unit works on incidents.")
