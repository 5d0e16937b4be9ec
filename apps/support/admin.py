from django import forms
from django.contrib import admin

from . import crypto
from .models import Conversation, KnowledgeArticle, Macro, Mailbox, Message, SlaSettings


class MailboxForm(forms.ModelForm):
    """Passwords are typed in clear and stored encrypted; an empty field keeps the stored one."""

    imap_password = forms.CharField(required=False, widget=forms.PasswordInput)
    smtp_password = forms.CharField(required=False, widget=forms.PasswordInput)

    class Meta:
        model = Mailbox
        fields = [
            "organization",
            "store",
            "address",
            "imap_host",
            "imap_port",
            "imap_ssl",
            "imap_username",
            "imap_folder",
            "smtp_host",
            "smtp_port",
            "smtp_starttls",
            "smtp_username",
            "is_active",
        ]

    def save(self, commit=True):
        mailbox = super().save(commit=False)
        for name in ("imap_password", "smtp_password"):
            if self.cleaned_data.get(name):
                setattr(mailbox, f"{name}_encrypted", crypto.encrypt(self.cleaned_data[name]))
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["address", "organization", "store", "imap_host", "last_uid", "last_polled_at"]
    readonly_fields = ["last_uid", "last_polled_at", "last_error"]
    raw_id_fields = ["store"]


class MessageInline(admin.StackedInline):
    model = Message
    extra = 0
    fields = ["direction", "sent_at", "sender", "message_id", "text", "language", "send_status"]
    readonly_fields = fields


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "organization",
        "store",
        "language",
        "intent",
        "status",
        "sla_due_at",
    ]
    list_filter = ["status", "intent", "language", "channel"]
    search_fields = ["marketplace_order_id", "buyer_alias", "buyer_name"]
    raw_id_fields = ["store", "order", "product", "assignee"]
    list_select_related = ["organization", "store"]
    inlines = [MessageInline]


admin.site.register(KnowledgeArticle)
admin.site.register(Macro)
admin.site.register(SlaSettings)

from .b2b import admin as b2b_admin  # noqa: E402,F401 - B2B terms, margin rules, inquiries
