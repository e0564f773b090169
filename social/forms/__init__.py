"""Page forms, one module per sub-domain. They parse input; the services own the rules."""

from social.forms.account import DeleteAccountForm, PrivacyForm
from social.forms.groupbuy import CommitForm, OpenForm
from social.forms.moderation import ActionForm, ReportForm
from social.forms.posts import CommentForm, PostEditForm, PostForm
from social.forms.profiles import ProfileForm

__all__ = [
    "ActionForm",
    "CommentForm",
    "CommitForm",
    "DeleteAccountForm",
    "OpenForm",
    "PostEditForm",
    "PostForm",
    "PrivacyForm",
    "ProfileForm",
    "ReportForm",
]
