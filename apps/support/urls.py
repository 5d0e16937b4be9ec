from django.urls import path

from . import manage_views, views
from .b2b import views as b2b_views

app_name = "support"
urlpatterns = [
    path("", views.index, name="index"),
    path("conversations/<int:conversation_id>/", views.conversation, name="conversation"),
    path("conversations/<int:conversation_id>/action/", views.conversation_action, name="action"),
    path("conversations/<int:conversation_id>/lint/", views.conversation_lint, name="lint"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("knowledge/", views.kb_index, name="kb"),
    path("knowledge/new/", views.kb_edit, name="kb_new"),
    path("knowledge/<int:article_id>/", views.kb_edit, name="kb_edit"),
    path("sla/", views.sla_dashboard, name="sla"),
    path("sla/settings/", manage_views.sla_settings, name="sla_settings"),
    path("macros/", manage_views.macro_index, name="macros"),
    path("mailboxes/", manage_views.mailbox_index, name="mailboxes"),
    path("mailboxes/new/", manage_views.mailbox_edit, name="mailbox_new"),
    path("mailboxes/<int:mailbox_id>/", manage_views.mailbox_edit, name="mailbox_edit"),
    path("macros/new/", manage_views.macro_edit, name="macro_new"),
    path("macros/<int:macro_id>/", manage_views.macro_edit, name="macro_edit"),
    path("b2b/", b2b_views.inquiry_list, name="b2b_inquiries"),
    path("b2b/terms/", b2b_views.terms_edit, name="b2b_terms"),
    path("b2b/<int:inquiry_id>/", b2b_views.inquiry_detail, name="b2b_inquiry"),
    path("b2b/quotations/<int:quotation_id>/pdf/", b2b_views.quotation_pdf, name="b2b_pdf"),
]
