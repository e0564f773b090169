"""Support models, one module per sub-domain: conversations, messages (with read marks and canned replies),
moderator presence, voice messages, and the assistant's knowledge (help articles). Re-exported here: `support.models.Message`
is what other apps and the migrations know.
"""

from support.models.assistant import HelpArticle, HelpCategory
from support.models.conversations import Conversation
from support.models.messages import CannedReply, Message, ReadState
from support.models.presence import ModeratorPresence
from support.models.voice import VoiceMessage

__all__ = [
    "CannedReply",
    "Conversation",
    "HelpArticle",
    "HelpCategory",
    "Message",
    "ModeratorPresence",
    "ReadState",
    "VoiceMessage",
]
