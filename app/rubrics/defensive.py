"""A defensive reply, told by its grammar rather than by a list of whole phrases (002, 003, 004).

Reps rarely say "it's your fault" or "that's our policy". They say "the agreement says ninety
days", "the contract is the contract", "you should have raised this at the renewal", "it shows
here he was added from your account", "כנראה שינית את המספר", "המערכת לא משנה את זה לבד",
"there's really not a lot I can do about that". Each grammar below takes the shape of one way of
putting it — an authority and what it demands, the customer's own doing, a door closed — with any
subject, any words between, and the Hebrew forms.

Each function returns the words that decided it (the evidence a trainer sees), or None. They read
normalised text (`app.rubrics.text.normalize`: lower case, no punctuation).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.rubrics.text import normalize

_W = r"(?:\S+\s+)"  # any one word and the space after it

# --- hiding behind procedures ---------------------------------------------------------------
# What a rep hides behind: a document the customer agreed to, or a rule of the company.
_EN_RULES = (
    r"(?:agreement|contract|terms(?:\s+and\s+conditions)?|policy|policies|rules?|guidelines?|"
    r"procedures?|regulations?|fine\s+print|small\s+print|t\s*(?:and|&)\s*cs?)"
)
_EN_DEMANDS = (
    r"(?:says|say|states|state|stipulates|requires|require|specifies|is\s+clear|are\s+clear|"
    r"clearly\s+(?:says|states)|only\s+allows?|doesn't\s+allow|does\s+not\s+allow|don't\s+allow|"
    r"won't\s+allow|doesn't\s+let|won't\s+let|doesn't\s+permit|don't\s+permit|"
    r"doesn't\s+cover|does\s+not\s+cover|don't\s+cover|is\s+very\s+clear)"
)
# The system, as what will not let the rep act.
_EN_SYSTEM = r"(?:system|computer|software|billing\s+system)"
_EN_SYSTEM_BLOCKS = (
    r"(?:won't\s+let|doesn't\s+let|does\s+not\s+let|won't\s+allow|doesn't\s+allow|"
    r"does\s+not\s+allow|can't|cannot|won't\s+accept|doesn't\s+accept|only\s+lets)"
)
_EN_PROCEDURE = re.compile(
    # "the agreement says ninety days", "our cancellation policy doesn't allow"
    # ("the terms don't say it clearly enough" admits a fault in them)
    rf"\b(?:the|our|your|this|that)\s+{_W}{{0,2}}?{_EN_RULES}\s+"
    rf"(?:(?!(?:don't|doesn't|didn't|do|does|never)\s)\S+\s+)?{_EN_DEMANDS}\b"
    # "it's all in the terms and conditions you signed", "our policy is not to refund"
    rf"|\b(?:it's|that's|it\s+is|that\s+is|this\s+is)\s+(?:all\s+|clearly\s+|right\s+there\s+)?"
    rf"(?:in|written\s+in|stated\s+in|spelled\s+out\s+in|set\s+out\s+in)\s+(?:the|our|your)\s+"
    rf"{_W}{{0,2}}?{_EN_RULES}\b"
    rf"|\b(?:the|our)\s+(?:\w+\s+)?(?:policy|rule|procedure)\s+is\s+(?:that|to|not)\b"
    # "according to the contract", "per our policy", "under the terms you signed"
    rf"|\b(?:according\s+to|per|under|as\s+per|as\s+stated\s+in)\s+(?:the|our|your)\s+"
    rf"{_W}{{0,2}}?{_EN_RULES}\b"
    # "the contract is the contract", "rules are rules"
    rf"|\b(?P<rule>agreement|contract|policy|rules?|terms|procedure)\s+(?:is|are)\s+"
    rf"(?:the\s+)?(?P=rule)\b"
    # "you signed a twelve month term", "you agreed to the terms"
    rf"|\byou\s+(?:signed|agreed\s+to|accepted)\s+(?:up\s+for\s+)?(?:a|an|the|our)?\s*"
    rf"{_W}{{0,3}}?(?:term|terms|contract|agreement|commitment)\b"
    # "that's just how the system works", "that's the way it works"
    rf"|\b(?:that's|that\s+is|it's|it\s+is|this\s+is)\s+(?:just\s+|simply\s+)?"
    rf"(?:how|the\s+way)\s+(?:the\s+|our\s+)?(?:{_EN_SYSTEM}|process|policy|billing|it)\s+"
    rf"works\b"
    # "that's how it's set up", "that's how the system is designed"
    rf"|\b(?:that's|that\s+is|this\s+is)\s+(?:just\s+|simply\s+)?(?:how|the\s+way)\s+"
    rf"(?:it's|it\s+is|the\s+{_EN_SYSTEM}\s+is|the\s+{_EN_SYSTEM}'s|things\s+are)\s+"
    rf"(?:set\s+up|designed|built|configured|done)\b"
    # "the system won't let me", "the computer can't"
    rf"|\b(?:the|our)\s+{_EN_SYSTEM}\s+(?:just\s+|simply\s+)?{_EN_SYSTEM_BLOCKS}\b",
)
# Looking it up is not hiding behind it: "I'll check what the contract says".
_EN_LOOKING_UP = re.compile(
    r"\b(?:check|see|look\s+at|find\s+out|ask|read\s+you)\s+(?:what|whether|if|how)\b"
)

_HE_RULES = r"(?:ההסכם|החוזה|התקנון|הנוהל|הנהלים|המדיניות|הכללים|הכלל|ההנחיות|התנאים|ההתחייבות)"
_HE_DEMANDS = (
    r"(?:אומר|אומרת|אומרים|קובע|קובעת|קובעים|מחייב|מחייבת|מחייבים|מגדיר|מגדירה|מגדירים|"
    r"ברור|ברורה|ברורים|ברורות|לא\s+מאפשר|לא\s+מאפשרת|לא\s+מאפשרים|לא\s+מאפשרות|"
    r"מאפשר\s+רק|מאפשרת\s+רק|מאפשרים\s+רק|לא\s+מכסה|לא\s+מכסים|לא\s+נותן|לא\s+נותנת|"
    r"לא\s+נותנים)"
)
_HE_SYSTEM = r"(?:המערכת|המחשב|התוכנה)"
_HE_PROCEDURE = re.compile(
    # "ההסכם אומר תשעים יום", "המדיניות שלנו לא מאפשרת"
    rf"(?:^|\s)[וש]?{_HE_RULES}\s+(?:שלנו\s+|של\s+החברה\s+)?(?:\S+\s+)?{_HE_DEMANDS}(?=\s|$)"
    # "המדיניות של החברה היא שלא מזכים"
    rf"|(?:^|\s)[וש]?{_HE_RULES}\s+(?:שלנו\s+|של\s+החברה\s+)?(?:היא|הוא|הם|זה)\s+ש"
    # "לפי ההסכם", "על פי התקנון", "בהתאם לנוהל"
    rf"|(?:^|\s)[ו]?(?:לפי|על\s+פי|בהתאם\s+ל)\s*{_HE_RULES}(?=\s|$)"
    rf"|(?:^|\s)[ו]?(?:לפי|על\s+פי|בהתאם\s+ל)(?:הסכם|חוזה|תקנון|נוהל|נהלים|מדיניות|כללים|"
    rf"הנחיות|תנאים)(?=\s|$)"
    # "כתוב בחוזה", "מופיע בתקנון"
    rf"|(?:^|\s)(?:זה\s+)?(?:כתוב|מופיע|רשום|מפורט)\s+(?:\S+\s+)?ב(?:הסכם|חוזה|תקנון|תנאים|"
    rf"אותיות\s+הקטנות|נוהל|נהלים|מדיניות)(?=\s|$)"
    # "חוזה זה חוזה", "נוהל זה נוהל"
    rf"|(?:^|\s)(?P<rule>הסכם|חוזה|נוהל|נהלים|כללים|תקנון)\s+(?:זה|זו|הוא|הם)\s+(?P=rule)(?=\s|$)"
    # "חתמת על התחייבות לשנה", "הסכמת לתנאים"
    rf"|(?:^|\s)(?:חתמת|חתמתם|הסכמת|הסכמתם|אישרת|אישרתם)\s+(?:על|ל)\s*(?:\S+\s+)?"
    rf"(?:התחייבות|הסכם|חוזה|תקנון|תנאים|ההתחייבות|ההסכם|החוזה|התקנון|התנאים)"
    # "ככה המערכת עובדת", "ככה זה עובד"
    rf"|(?:^|\s)ככה\s+(?:זה|{_HE_SYSTEM}|התהליך)\s+(?:עובד|עובדת)(?=\s|$)"
    # "המערכת לא נותנת לי", "המערכת לא מאפשרת"
    rf"|(?:^|\s)[וש]?{_HE_SYSTEM}\s+(?:פשוט\s+)?(?:לא\s+נותנת|לא\s+נותן|לא\s+מאפשרת|"
    rf"לא\s+מאפשר|לא\s+מקבלת|לא\s+מקבל|חוסמת\s+לי|לא\s+תיתן)\s+לי(?=\s|$)"
    rf"|(?:^|\s)[וש]?{_HE_SYSTEM}\s+(?:פשוט\s+)?לא\s+(?:מאפשרת|מאפשר)(?=\s|$)",
)
_HE_LOOKING_UP = re.compile(r"(?:^|\s)(?:אבדוק|נבדוק|אני\s+בודק|אני\s+בודקת|לבדוק)\s+מה\s")


# A rule read out in the customer's favour ("the policy says you can get a full refund", "לפי
# התנאים מגיע לך החזר") is good news, not a wall.
_FAVOURS = re.compile(
    r"\s+(?:\S+\s+){0,2}?(?:that\s+)?(?:you|we)\s*(?:can|could|may|are\s+entitled|'re\s+entitled|"
    r"get|qualify)\b|\s+(?:\S+\s+)?ש?(?:מגיע|את\s+יכולה|אתה\s+יכול|אפשר|מותר|זכאי|זכאית)(?=\s|$)"
)
# What the rep does instead, said next: "I can't change that, but what I can do is…", "the
# system won't let me, so I've asked my supervisor" is the way out of a refusal the sources
# recommend, not a door closed.
_WAY_OUT = re.compile(
    r"\s+(?:\S+\s+){0,6}?(?:but|however|what\s+i\s+can|what\s+we\s+can|instead|"
    r"so\s+(?:i've|i'll|i'm|i\s+will|i\s+have|i\s+am|we've|we'll|we\s+will|what\s+i)|"
    r"אבל|מה\s+שאני\s+כן|מה\s+שכן|במקום|אז\s+אני|אז\s+אנחנו|ולכן\s+אני)(?=\s|$)"
)


def hides_behind_rules(text: str) -> str | None:
    """The words that put a document, a rule or the system between the rep and the customer
    ("the agreement says ninety days", "לפי התקנון"), or None."""
    s = normalize(text)
    if _EN_LOOKING_UP.search(s) or _HE_LOOKING_UP.search(s):
        return None
    m = _EN_PROCEDURE.search(s) or _HE_PROCEDURE.search(s)
    if m is None or _FAVOURS.match(s, m.end()) or _WAY_OUT.match(s, m.end()):
        return None
    return m.group(0).strip()


# --- blaming the customer -------------------------------------------------------------------
# What a customer did (or failed to do), past tense: what blame is about.
_EN_DID = (
    r"(?:changed|clicked|deleted|entered|typed|pressed|added|turned|switched|set|missed|forgot|"
    r"signed|shared|gave|used|opted|selected|ticked|skipped|ignored|overlooked|agreed|chose|"
    r"picked|booked|ordered|cancelled|canceled|reset|unplugged|moved|left|accepted|approved|"
    r"authori[sz]ed|downgraded|upgraded|disabled|enabled|installed|uninstalled|logged)"
)
# What should have been the customer's doing. The passive and receiving ("you should have been
# told", "you should have got an email") put the fault on the company: not blame.
_EN_OUGHT_NOT = r"(?:been|had|got|gotten|received|heard|seen|known\s+about\s+us)\b"
# Past participles that don't end in -ed ("you should have *told* us"); a bare "you should
# have it by Friday" is a delivery date, not blame.
_EN_PARTICIPLES = (
    r"(?:told|read|known|sent|done|gone|come|said|spoken|rung|written|thought|kept|paid|left|"
    r"made|taken|given|brought|put|set|shut|cut|let)"
)
_EN_BLAME = re.compile(
    # "you should have raised this at the renewal", "you could've told us"
    rf"\byou\s+(?:really\s+)?(?:should|could)\s*(?:have|'ve|of)\s+(?:just\s+|really\s+)?"
    rf"(?!{_EN_OUGHT_NOT})(?:\w+ed|{_EN_PARTICIPLES})\b"
    # "you were supposed to return it", "you needed to cancel before"
    rf"|\byou\s+(?:were\s+supposed|were\s+meant|needed)\s+to\s+"
    rf"(?!(?:be|get|have|receive|hear|wait|pay\s+less)\b)\w+"
    # "if you'd checked", "if you had read the email"
    rf"|\bif\s+you\s*(?:had|'d)\s+(?:just\s+|only\s+|actually\s+)?"
    rf"(?!(?:liked|wanted|preferred|needed|been\s+(?:told|given|sent|charged))\b)"
    rf"(?:\w+ed|{_EN_PARTICIPLES}|been\s+home)\b"
    # "so you did agree to the switch", "you did sign up to 28 days' notice"
    rf"|\byou\s+(?:actually\s+|definitely\s+)?did\s+(?:actually\s+)?(?:agree|sign|tick|order|"
    rf"choose|accept|ask|confirm|select|opt|approve|authori[sz]e|request|book|click|change|"
    rf"say|tell\s+us|give\s+us)\b"
    # "you just didn't open them", "you never replied"
    rf"|\byou\s+(?:(?:just|simply)\s+(?:didn't|did\s+not)|never)\s+(?:bother\s+to\s+)?(?:open|read|"
    rf"check|reply|respond|answer|look|update|return|cancel|call|tell|notice|follow|opened|read|"
    rf"checked|replied|responded|answered|looked|updated|returned|cancelled|called|told|noticed)\b"
    # "you must have changed it", "maybe you forgot", "looks like you clicked"
    rf"|\b(?:you\s+must\s+have|you\s+must've|you\s+probably|maybe\s+you|perhaps\s+you|"
    rf"you\s+might\s+have|you\s+may\s+have|i\s+guess\s+you|looks\s+like\s+you|"
    rf"seems\s+(?:like\s+)?you|chances\s+are\s+you|you\s+obviously)\s+(?:just\s+)?"
    rf"(?:accidentally\s+|yourself\s+)?{_EN_DID}\b"
    # "it shows here he was added from your account", "the order was placed from your login"
    rf"|\b(?:was|were|been|got)\s+(?:\w+\s+){{0,2}}?(?:added|changed|made|placed|ordered|bought|"
    rf"purchased|submitted|authori[sz]ed|approved|requested|activated|booked|done|logged)\s+"
    rf"(?:\w+\s+){{0,2}}?(?:from|with|using|through|via|on)\s+your\s+(?:own\s+)?(?:login|"
    rf"password|credentials|account|device|phone|card|email|profile)\b"
    # "did anyone add him from your login", "did you share your password"
    rf"|\bdid\s+(?:anyone|anybody|someone|somebody|you)\s+(?:else\s+)?\w+\s+(?:\w+\s+){{0,2}}?"
    rf"(?:from|with|using|through|via|on)\s+your\s+(?:own\s+)?(?:login|password|credentials|"
    rf"device|phone|profile)\b"
    rf"|\bdid\s+you\s+(?:maybe\s+|perhaps\s+)?(?:share|give\s+out|lend)\s+your\b"
    # "to be fair, the email did ask for someone to be home", "partly down to that"
    rf"|\b(?:to\s+be\s+fair|in\s+fairness|in\s+all\s+fairness)\s+(?:\w+\s+){{0,10}}?"
    rf"(?:you\s+(?:did|were|had|signed|agreed|chose|picked|asked|said|didn't|never|should|"
    rf"could|knew|ticked|ordered)|did\s+(?:ask|say|tell|mention|warn|explain|note|state)|"
    rf"(?:was|were)\s+(?:sent|emailed|mailed|posted|told|in\s+the))\b"
    rf"|\bpartly\s+(?:down\s+to|because\s+(?:of\s+)?(?:you|that)|your|on\s+you|due\s+to)\b"
    # "to be fair, a couple of those Fridays our techs couldn't get through your gate"
    rf"|\b(?:to\s+be\s+fair|in\s+fairness|in\s+all\s+fairness)\s+(?:\w+\s+){{0,12}}?"
    rf"(?:couldn't|could\s+not|weren't\s+able\s+to|wasn't\s+able\s+to|can't)\s+(?:\w+\s+){{0,3}}?"
    rf"your\b"
    # a tip for doing it right next time: "you'll usually get through a lot quicker if you call
    # after lunch", "just a tip for next time"
    rf"|\b(?:you'll|you\s+will|you'd|you\s+would)\s+(?:usually\s+|normally\s+|generally\s+)?"
    rf"(?:get\s+through|get\s+an\s+answer|get\s+a\s+reply|hear\s+back|be\s+seen|get\s+it)\s+"
    rf"(?:\w+\s+){{0,2}}?(?:quicker|faster|sooner|earlier)\s+if\s+you\b"
    rf"|\b(?:a\s+tip|just\s+a\s+tip|some\s+advice)\s+for\s+next\s+time\b"
    # the customer's own choice as the cause: "but you did pick the family box, so of course"
    rf"|\bbut\s+you\s+(?:did\s+|also\s+)*(?:pick|picked|chose|choose|took|take|ordered|order|"
    rf"went\s+for|signed\s+up\s+for|booked|selected|opted\s+for)\s+(?:\w+\s+){{0,8}}?"
    rf"so\s+(?:of\s+course|obviously|naturally)\b"
    # "it's not a bug on our end", "nothing wrong with our system"
    rf"|\b(?:it's|it\s+is|that's|that\s+is|this\s+is|it\s+isn't|that\s+isn't|this\s+isn't)\s+"
    rf"(?:not\s+)?(?:a|an)?\s*(?:bug|fault|error|glitch|mistake|malfunction)\s+(?:on|at|in|with|"
    rf"from)\s+(?:our|the|my)\s+(?:end|side|system|app|software|part)\b"
    rf"|\bnothing\s+(?:is\s+)?wrong\s+(?:with|on|in)\s+(?:our|the)\s+(?:end|side|system|app|"
    rf"software|service|network|billing)\b"
    rf"|\b(?:our|the)\s+(?:system|app|software|network|billing)\s+(?:is|was)\s+"
    rf"(?:working\s+)?(?:fine|correctly|properly|as\s+(?:it\s+)?should|perfectly|as\s+designed)\b"
    # "the matchmaking is working fine for most of our members" (but "it's working fine now",
    # after a fix, is good news)
    rf"|\b(?:is|are|was|were|'s|'re)\s+(?:all\s+)?working\s+(?:fine|correctly|properly|perfectly|"
    rf"as\s+(?:it\s+)?should|as\s+intended|as\s+designed)\b(?!\s+(?:now|again)\b)"
    # "it's because they've widened the range in their own settings"
    rf"|\b(?:that's|it's|this\s+is|that\s+is|it\s+is)\s+(?:usually\s+|probably\s+|normally\s+|"
    rf"only\s+|just\s+)?because\s+(?:you|they|someone|people|the\s+customer)\s*"
    rf"(?:have\s+|'ve\s+|had\s+|'d\s+)?(?:\w+ed|{_EN_PARTICIPLES}|didn't|did\s+not|forgot|"
    rf"don't|do\s+not)\b"
    # "the system doesn't change that by itself", "it doesn't happen on its own"
    rf"|\b(?:the\s+system|the\s+app|the\s+software|it|that|this|numbers?)\s+(?:doesn't|does\s+not|"
    rf"don't|can't|won't|wouldn't)\s+(?:just\s+)?(?:\w+\s+){{1,3}}?(?:by\s+itself|on\s+its\s+own|"
    rf"by\s+themselves|on\s+their\s+own)\b"
    # "that happens when people don't read the instructions"
    rf"|\b(?:that|this|it)\s+(?:usually\s+|often\s+|only\s+|always\s+)?happens\s+(?:when|if)\s+"
    rf"(?:you|people|customers|users|someone|somebody)\s+(?:don't|do\s+not|didn't|forget|skip|"
    rf"ignore|miss|change|click|press)\b",
)
# Hebrew: the customer's doing, second person past (masculine and feminine alike; plural ם).
_HE_DID = (
    r"(?:שינית|לחצת|מחקת|הזנת|הכנסת|הקלדת|שכחת|פספסת|בחרת|סימנת|הוספת|הפעלת|כיבית|ביטלת|"
    r"חתמת|אישרת|נתת|שלחת|עדכנת|התקנת|הסרת|הורדת|נכנסת|הזמנת|ניתקת|העברת|אפסת|איפסת|שמרת|שמת|"
    r"הגדרת|קבעת|השארת|הסכמת|נרשמת|פתחת|סגרת|החלפת|זזת)"
)
_HE_BLAME = re.compile(
    # "היית צריך לבטל לפני", "הייתם אמורים להחזיר"; receiving is the company's fault ("היית
    # צריך לקבל הודעה")
    r"(?:^|\s)(?:היית|הייתם|הייתן)\s+(?:צריך|צריכה|צריכים|אמור|אמורה|אמורים|חייב|חייבת|"
    r"חייבים)\s+(?!לקבל|לשמוע|להיות|לחכות)ל\S+"
    # "אם היית מפעילה התראות, היית רואה"; wishes are not blame ("אם היית רוצה")
    r"|(?:^|\s)(?:ו)?אם\s+(?:רק\s+)?(?:היית|הייתם)\s+(?!רוצ|מעוניינ|צריכ|יכול|מרגיש|שומע|"
    r"שומעת|מקבל|רואה\s+את\s+זה\s+אחרת)(?:\S+\s+)(?:\S+\s+){0,6}?(?:היית|הייתם|היה|היו|הייתה)"
    r"(?=\s|$)"
    # "כנראה שינית", "בטח לחצת", "אולי שכחת", "יכול להיות ששינית"
    rf"|(?:^|\s)(?:כנראה|בטח|אולי|ודאי|כנראה\s+ש|נראה\s+ש|יכול\s+להיות\s+ש|מסתבר\s+ש|"
    rf"כנראה\s+שאת|כנראה\s+שאתה)\s*(?:את\s+|אתה\s+|אתם\s+|בטעות\s+|בעצמך\s+)?"
    rf"(?:לא\s+)?[ש]?{_HE_DID}ם?(?=\s|$)"
    # "זה בגלל ששינית את ההגדרות"
    rf"|(?:^|\s)זה\s+(?:קרה\s+|קורה\s+)?(?:בגלל|כי)\s+(?:ש)?(?:את\s+|אתה\s+|אתם\s+)?"
    rf"(?:לא\s+)?[ש]?{_HE_DID}ם?(?=\s|$)"
    # "זה לא באג אצלנו", "זו לא תקלה שלנו", "אין שום תקלה במערכת"
    r"|(?:^|\s)(?:זה|זו|זאת|הוא|היא)\s+לא\s+(?:באג|תקלה|טעות|שגיאה)\s+(?:אצלנו|שלנו|במערכת|"
    r"מצדנו|מהצד\s+שלנו|בצד\s+שלנו)(?=\s|$)"
    r"|(?:^|\s)אין\s+(?:שום\s+|פה\s+|כאן\s+)?(?:באג|תקלה|טעות|שגיאה)\s+(?:אצלנו|במערכת|מצדנו|"
    r"מהצד\s+שלנו|בצד\s+שלנו)(?=\s|$)"
    r"|(?:^|\s)(?:המערכת|התוכנה|האפליקציה)\s+(?:עובדת|עבדה)\s+(?:תקין|כמו\s+שצריך|מצוין|בסדר)"
    # "המערכת לא משנה את זה לבד", "זה לא קורה מעצמו"
    r"|(?:^|\s)(?:המערכת|התוכנה|האפליקציה|זה|הוא|היא|המספר)\s+לא\s+(?:משנה|משנים|קורה|קורים|"
    r"מוסיף|מוסיפה|מתעדכן|מתעדכנת|משתנה|משתנים|מחליף|מחליפה|זז|זזה|נוצר|נוצרת|מתבטל|מתבטלת|"
    r"נמחק|נמחקת)\s+(?:\S+\s+){0,2}?(?:לבד|מעצמו|מעצמה|סתם)(?=\s|$)"
    # "זה קורה כשלא קוראים את ההנחיות"
    r"|(?:^|\s)זה\s+(?:קורה|קורים)\s+(?:בדרך\s+כלל\s+|תמיד\s+|רק\s+)?(?:כש|אם\s+)"
    r"(?:לא|שוכחים|מדלגים|משנים|לוחצים|אתה|את|אתם)(?=\s)"
    # the customer's own choice as the cause: "כן, אבל גם לקחת את הארגז המשפחתי… אז ברור שנשאר
    # המון"; a tip for next time: "תקבלי מענה הרבה יותר מהר אם תתקשרי אחרי הצהריים"
    rf"|(?:^|\s)אבל\s+(?:גם\s+)?(?:את\s+|אתה\s+|אתם\s+)?(?:{_HE_DID}|לקחת|לקחתם)\s+(?:\S+\s+){{0,10}}?"
    r"אז\s+(?:ברור|מובן|כמובן)(?:\s+ש|\s|$)"
    r"|(?:^|\s)(?:תקבל|תקבלי|תקבלו|תגיע|תגיעי|תעבור|תעברי)\s+(?:\S+\s+){0,2}?(?:יותר\s+)?(?:מהר|מוקדם)"
    r"(?:\s+יותר)?\s+אם\s+(?:ת\S+)"
    r"|(?:^|\s)(?:טיפ|עצה)\s+(?:ל|בשביל\s+ה)פעם\s+הבאה(?=\s|$)"
    # "בהגינות, המייל ביקש…"
    r"|(?:^|\s)(?:בהגינות|למען\s+ההגינות|אם\s+להיות\s+הוגנים)\s+(?:\S+\s+){0,10}?"
    r"(?:אתה|את|שלך|לך|ביקש|ביקשה|אמר|אמרה|כתוב|הזהיר|הזהירה)(?=\s|$)",
)


# Pushing the matter away: not the company's problem or not the rep's doing ("that's not really
# our problem", "I only started here last month", "זו לא הבעיה שלנו", "אני רק עובדת פה"); the
# customer the only one with it ("nobody else has complained", "את הראשונה שמתלוננת"); or what
# the company already did for them held up ("we did send you three reminders", "שלחנו לך
# תזכורת").
_EN_DEFLECT = re.compile(
    r"\b(?:(?:that's|that\s+is|it's|it\s+is|this\s+is)\s+not|that\s+isn't|it\s+isn't)\s+"
    r"(?:really\s+|exactly\s+)?(?:our|my)\s+(?:problem|fault|responsibility|department|issue|"
    r"concern|call|decision)\b"
    r"|\bnot\s+my\s+(?:department|responsibility|area)\b|\bi\s+(?:just|only)\s+work\s+here\b"
    r"|\bi\s+(?:only|just)\s+started\s+(?:here\s+)?(?:last|this|a)\s+(?:week|month|few)\b"
    r"|\b(?:i'm|i\s+am|i\s+wasn't|i\s+was\s+not)\s+not\s+the\s+one\s+who\b"
    r"|\bi'm\s+not\s+the\s+one\s+(?:who|that)\b|\bi\s+wasn't\s+(?:even\s+)?(?:here|the\s+one)\b"
    r"|\b(?:nobody|no\s+one|no-one)\s+else\s+(?:has\s+|'s\s+)?(?:ever\s+)?(?:complained|had|"
    r"reported|mentioned|raised|noticed)\b"
    r"|\byou're\s+the\s+(?:first|only)\s+(?:one|person|customer)\s+(?:to|who|that)\s+"
    r"(?:complain|have|report|mention|raise|notice|has|had)\w*\b"
    r"|\beveryone\s+else\s+(?:is|seems|has\s+been)\s+(?:fine|happy|okay|ok)\b"
    r"|\bwe\s+did\s+(?:send|email|e-mail|post|text)\s+(?:you\s+)?(?:a|an|the|three|two|several|"
    r"multiple|a\s+few)\s+(?:\w+\s+)?(?:reminders?|notices?|emails?|letters?|warnings?|"
    r"notifications?|messages?|texts?)\b"
    r"|\bwe\s+did\s+(?:tell|warn|remind|notify|inform)\s+you\b"
    r"|\bwe\s+(?:sent|emailed|texted|posted)\s+you\s+(?:three|two|several|multiple|a\s+few|four|"
    r"five)\s+(?:\w+\s+)?(?:reminders|notices|emails|letters|warnings|notifications|messages|texts)\b"
)
_HE_DEFLECT = re.compile(
    r"(?:^|\s)(?:זו|זאת|זה)\s+לא\s+(?:ממש\s+)?(?:הבעיה|האשמה|האחריות|ההחלטה)\s+(?:שלנו|שלי)(?=\s|$)"
    r"|(?:^|\s)(?:זה\s+)?לא\s+(?:באחריות|בתחום)\s+(?:שלנו|שלי)(?=\s|$)|(?:^|\s)זה\s+לא\s+תלוי\s+בי(?=\s|$)"
    r"|(?:^|\s)אני\s+רק\s+(?:עובד|עובדת)\s+(?:פה|כאן)(?=\s|$)"
    r"|(?:^|\s)אני\s+(?:חדש|חדשה)\s+(?:פה|כאן|בתפקיד)(?=\s|$)|(?:^|\s)(?:זה\s+)?לא\s+אני\s+ש"
    r"|(?:^|\s)(?:אף\s+אחד|אף\s+אחת|לקוח\s+אחר\s+לא)\s+(?:אחר\s+|אחרת\s+)?(?:לא\s+)?"
    r"(?:התלונן|התלוננה|התלוננו|דיווח|דיווחה|העיר|העירה)(?=\s|$)"
    r"|(?:^|\s)(?:את|אתה|אתם)\s+(?:הראשון|הראשונה|הראשונים|היחיד|היחידה|היחידים)\s+ש(?:מתלונן|"
    r"מתלוננת|מתלוננים|אומר|אומרת|טוען|טוענת)(?=\s|$)"
    r"|(?:^|\s)לאף\s+אחד\s+אחר\s+אין(?=\s|$)"
    r"|(?:^|\s)(?:אבל\s+)?(?:שלחנו|הודענו)\s+לך\s+(?:כבר\s+)?(?:\S+\s+)?(?:תזכורת|תזכורות|הודעה|"
    r"הודעות|מייל|מיילים|מכתב|מכתבים|התראה|התראות)(?=\s|$)"
    r"|(?:^|\s)(?:אבל\s+)?קיבלת\s+על\s+זה\s+(?:\S+\s+)?(?:הודעה|מייל|תזכורת|מכתב)(?=\s|$)"
)


def blames(text: str) -> str | None:
    """The words that put the fault on the customer or deny the company's part ("you should
    have raised it", "כנראה שינית", "it's not a bug on our end", "that's not really our
    problem", "nobody else has complained", "שלחנו לך שלוש תזכורות"), or None."""
    s = normalize(text)
    m = _EN_BLAME.search(s) or _HE_BLAME.search(s) or _EN_DEFLECT.search(s) or _HE_DEFLECT.search(s)
    return m.group(0).strip() if m else None


# --- a door closed --------------------------------------------------------------------------
_EN_CANT_HELP = re.compile(
    # "there's really not a lot I can do", "nothing else we could do", "not much I can offer"
    r"\b(?:not\s+(?:a\s+lot|much|anything|really\s+anything)|nothing|very\s+little|(?<!a\s)little|"
    r"no\s+more)\s+(?:else\s+|more\s+)?(?:that\s+)?(?:i|we)\s+(?:can|could|am\s+able\s+to|"
    r"are\s+able\s+to)\s+(?:really\s+)?(?:do|offer|change)\b"
    # "I can't do anything about that", "we're not able to do anything"
    r"|\b(?:i|we)\s+(?:can't|cannot|can\s+not|couldn't|am\s+not\s+able\s+to|'m\s+not\s+able\s+to|"
    r"are\s+not\s+able\s+to|'re\s+not\s+able\s+to|really\s+can't)\s+(?:really\s+)?"
    r"(?:do\s+(?:anything|much|a\s+thing)|help\s+(?:you\s+)?with\s+that|"
    r"(?:change|override|overrule|undo|reverse|waive)\s+(?:that|it|this|what|the)|override)\b"
    # "that's not something we can control", "it's not something I can change"
    r"|\b(?:that's|that\s+is|it's|it\s+is|this\s+is)\s+not\s+(?:really\s+)?something\s+"
    r"(?:that\s+)?(?:i|we)\s+(?:can|could)\s+(?:really\s+)?(?:control|change|do\s+anything|"
    r"help\s+with|fix|influence)\b"
    # "I can't promise you anything about which therapist you'll get"
    r"|\b(?:i|we)\s+(?:can't|cannot|can\s+not)\s+(?:really\s+)?(?:promise|guarantee)\s+"
    r"(?:you\s+)?anything\b"
    # "that's out of my hands", "it's above my pay grade"
    r"|\b(?:out\s+of|not\s+in|beyond)\s+(?:my|our)\s+(?:hands|control|power)\b"
    r"|\babove\s+my\s+pay\s+grade\b",
)
_HE_CANT_HELP = re.compile(
    # "אין הרבה שאני יכולה לעשות", "אין משהו שאפשר לעשות", "אין לי הרבה מה לעשות"
    r"(?:^|\s)(?:אין|אין\s+לי|אין\s+לנו|אין\s+ממש)\s+(?:הרבה|משהו|שום\s+דבר|כלום|יותר)?\s*"
    r"(?:מה|ש(?:אני|אנחנו|אפשר)|שאני\s+יכול|שאני\s+יכולה|שאנחנו\s+יכולים)\s*(?:\S+\s+)?"
    r"(?:לעשות|להציע|לשנות|לעזור)(?=\s|$)"
    # "אני לא יכולה לעשות הרבה", "אנחנו לא יכולים לשנות את זה"
    r"|(?:^|\s)(?:אני|אנחנו)\s+(?:ממש\s+|באמת\s+)?לא\s+(?:יכול|יכולה|יכולים|יכולות)\s+"
    r"(?:לעשות\s+(?:כלום|הרבה|שום\s+דבר|משהו)|לשנות\s+(?:את\s+זה|כלום|שום\s+דבר))(?=\s|$)"
    # "זה לא בידיים שלי", "זה מחוץ לשליטה שלי"
    # "אני לא יכולה להתחייב לך איזה מטפל יהיה"
    r"|(?:^|\s)(?:אני\s+|אנחנו\s+)?לא\s+(?:יכול|יכולה|יכולים|יכולות)\s+(?:באמת\s+)?"
    r"(?:להתחייב|להבטיח)(?=\s|$)"
    # "זה לא משהו שאנחנו יכולים לשלוט בו"
    r"|(?:^|\s)(?:זה|זו|זאת)\s+לא\s+(?:משהו|דבר)\s+ש(?:אני|אנחנו|אפשר)\s*(?:יכול|יכולה|"
    r"יכולים|יכולות)?\s*(?:לשלוט|לשנות|לעשות|להשפיע|לתקן)(?=\s|$)"
    r"|(?:^|\s)(?:זה\s+)?(?:לא\s+בידיים\s+שלי|לא\s+בשליטה\s+שלי|מחוץ\s+לשליטה\s+שלי|"
    r"לא\s+בסמכות\s+שלי|מעל\s+הסמכות\s+שלי)(?=\s|$)",
)


def closes_the_door(text: str) -> str | None:
    """The words that tell the customer nothing can be done ("there's really not a lot I can
    do about that", "אין הרבה שאני יכולה לעשות"), or None. Saying next what can be done
    instead ("…, but I can…") opens it again."""
    s = normalize(text)
    m = _EN_CANT_HELP.search(s) or _HE_CANT_HELP.search(s)
    if m is None or _WAY_OUT.match(s, m.end()):
        return None
    return m.group(0).strip()


# Taking the floor with an apology or a request for leave ("sorry to cut in, let me say
# something, okay?") is a kind step-in (source 004), not a hostile "let me talk".
_ASKS_LEAVE = re.compile(
    r"\b(?:sorry\s+(?:to|for|that\s+i'm|i'm)\s+(?:interrupt|cut|jump|butt)\w*|if\s+i\s+may|"
    r"may\s+i|do\s+you\s+mind|is\s+that\s+(?:ok|okay|alright|all\s+right)|would\s+that\s+be\s+"
    r"(?:ok|okay|alright))\b"
    r"|(?:^|\s)(?:סליחה\s+ש(?:אני\s+)?(?:קוטע|קוטעת|נכנס|נכנסת|מתפרץ|מתפרצת)|אם\s+אפשר|"
    r"אפשר\s+רגע|זה\s+בסדר\s+מבחינתך|מותר\s+לי)(?=\s|$)"
)


def asks_leave(text: str) -> bool:
    """Does the speaker apologise for cutting in or ask leave to speak? (A tag on an order —
    "I'm going to stop you there, alright?" — asks nothing.)"""
    return _ASKS_LEAVE.search(normalize(text)) is not None


# --- exasperation ---------------------------------------------------------------------------
_EN_HOSTILE = re.compile(
    # "I don't know how much clearer I can make this", "how many more times"
    r"\bhow\s+(?:much\s+)?(?:clearer|more\s+clearly|many\s+(?:more\s+)?times)\b|\bany\s+clearer\b"
    # "I've told you twice", "as I said already"
    r"|\b(?:i've|i\s+have|i)\s+(?:already\s+)?(?:told|explained\s+(?:this\s+|it\s+)?to)\s+you\s+"
    r"(?:twice|three\s+times|already|several\s+times|again\s+and\s+again)\b"
    r"|\bas\s+i\s+(?:said|explained|mentioned|told\s+you)\s+(?:already|twice)\b"
)
_HE_HOSTILE = re.compile(
    r"(?:^|\s)יותר\s+ברור\s+מזה(?=\s|$)"
    r"|(?:^|\s)כמה\s+פעמים\s+(?:עוד\s+)?(?:אני\s+)?(?:צריך|צריכה|אצטרך|אני\s+אגיד|אגיד|להגיד)"
    r"|(?:^|\s)(?:כבר\s+)?(?:אמרתי|הסברתי)\s+לך\s+(?:כבר|פעמיים|שלוש\s+פעמים|יותר\s+מפעם)"
    r"(?=\s|$)|(?:^|\s)כבר\s+(?:אמרתי|הסברתי)\s+לך(?=\s|$)"
)


def exasperated(text: str) -> str | None:
    """The words of a rep out of patience ("I don't know how much clearer I can make this",
    "אמרתי לך כבר פעמיים"), or None."""
    s = normalize(text)
    m = _EN_HOSTILE.search(s) or _HE_HOSTILE.search(s)
    return m.group(0).strip() if m else None


GRAMMARS: dict[str, Callable[[str], str | None]] = {
    "blame": blames,
    "procedure": hides_behind_rules,
    "cant_help": closes_the_door,
    "hostile": exasperated,
}
