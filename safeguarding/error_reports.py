"""What an error report (the e-mail Django sends ADMINS on a server error) may carry.

Django hides only the parameters a view marks as sensitive. Here every posted value and
every local variable is hidden: a form or a frame may hold a child's name, health or
the circumstances of a case, and an error e-mail leaves the service for a mailbox. The
report keeps what diagnoses the error: the path, the traceback's code lines, the names
of the posted fields and the settings (themselves cleansed of secrets by Django).
"""

from django.views.debug import SafeExceptionReporterFilter


class NoCaseDataFilter(SafeExceptionReporterFilter):
    def is_active(self, request):
        return True  # also with DEBUG on: the report may be copied anywhere

    def get_post_parameters(self, request):
        if request is None:
            return {}
        hidden = request.POST.copy()
        for key in hidden:
            hidden[key] = self.cleansed_substitute
        return hidden

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
