"""The reason for leaving a customer gives, told by its grammar (sources 001, 003).

Customers don't name a category; they tell what went wrong. Each reason has a shape:
- product: the thing itself failing ("the battery keeps dying", "it stopped working", "the app
  crashes", "המכשיר התקלקל", "זה לא עובד");
- service: the people and the process failing them ("nobody came and nobody rang", "on hold for
  forty minutes", "every time it's a different person", "אף אחד לא חזר אליי");
- price: what it costs ("it's gone up to two hundred and nine", "I can't afford it", "half the
  price elsewhere", "זה התייקר", "יקר לי");
- non_usage: not using it ("we don't use it anymore", "two boxes sitting in the cupboard", "אני
  לא משתמש בזה");
- other: a circumstance of the customer's own that ends it ("we got acquired", "we're moving to
  Haifa", "the new baby", "עוברים דירה").

`reasons_said` reads a customer's utterance sentence by sentence and returns, per reason, the
words that show it. A sentence that denies a reason ("it's not the money", "זה לא המחיר") shows
none of it.
"""

from __future__ import annotations

import re

from app.rubrics.text import normalize, split_sentences

_EN = {
    "product": re.compile(
        r"\b(?:stopped|stops|keeps|kept)\s+(?:working|dying|crashing|breaking|freezing|dropping|"
        r"failing|leaking|cutting\s+out|turning\s+off)\b"
        r"|\b(?:it|they|the\s+\w+(?:\s+\w+)?)\s+(?:just\s+)?(?:doesn't|don't|didn't|won't|wouldn't)\s+"
        r"(?:work|connect|charge|start|sync|load|fit|hold|last|open)\b"
        # (what breaks in transit or by accident is not the product failing: "it arrived
        # smashed", "her phone fell and broke")
        r"|\b(?:died|dies|dying|crashed|crashes|crashing|faulty|defective|glitch\w*|bugs?|buggy|"
        r"malfunction\w*|drying\s+(?:my|your|her|his)\s+eyes|leaks|leaking)\b"
        r"|\b(?:quality|battery|batteries|signal|coverage|connection|app|software|product)\s+"
        r"(?:is|was|has\s+been|are|were)\s+(?:terrible|awful|rubbish|bad|poor|useless|worse|"
        r"getting\s+worse|unreliable|patchy)\b"
        r"|\bcan't\s+trust\s+it\b|\bdoesn't\s+do\s+what\b"
        # too slow to use: "it was taking four, five minutes to open them"
        r"|\btak(?:ing|es|e)\s+(?:\w+\s+){0,3}?(?:minutes|ages|forever)\s+to\s+(?:open|load|start|"
        r"save|sync|boot|respond)\b"
    ),
    "service": re.compile(
        r"\b(?:nobody|no\s+one|no-one|nobody's|no\s+one's)\s+(?:ever\s+|even\s+)?(?:came|comes|called|"
        r"calls|rang|rings|told|tells|answered|answers|got\s+back|gets\s+back|showed\s+up|turned\s+up|"
        r"bothered|helped|listened|responded|replied|picked\s+up|explained|fixed|knows)\b"
        r"|\bon\s+hold\b|\b(?:waited|waiting|wait)\s+(?:for\s+)?(?:\w+\s+){0,2}?(?:hours?|minutes|"
        r"weeks|days|months)\b"
        r"|\b(?:never|didn't|haven't|hasn't)\s+(?:\w+\s+)?(?:heard|got|get)\s+back\b"
        r"|\b(?:different|new)\s+(?:person|name|agent|handler)\s+every\s+time\b"
        r"|\bevery\s+time\s+(?:it's|i\s+get|i\s+talk\s+to)\s+(?:a\s+)?(?:different|new)\b"
        r"|\b(?:explain|explaining|go\s+through)\s+(?:\w+\s+){0,3}?(?:from\s+(?:the\s+top|scratch)|"
        r"again\s+and\s+again)\b"
        r"|\b(?:didn't|never|did\s+not)\s+(?:show\s+up|turn\s+up|come|call\s+(?:me\s+)?back|ring\s+back|"
        r"arrive)\b|\bno-show\b"
        r"|\b(?:customer\s+service|support|your\s+people|your\s+team|the\s+staff)\s+(?:is|are|was|"
        r"were|has\s+been|have\s+been)\s+(?:terrible|awful|useless|rude|a\s+nightmare|hopeless)\b"
        r"|\b(?:rude|ignored|fobbed\s+off|passed\s+(?:around|between)|runaround|form\s+letter|"
        r"chatbot|writing\s+to\s+robots)\b"
        # coming late: "three times now the box has come after eight at night", "it came the
        # next day", "the driver's always late"
        r"|\b(?:came|come|comes|arrived|arrives|turned\s+up|turns\s+up|showed\s+up|shows\s+up|"
        r"delivered)\s+(?:\w+\s+){0,2}?(?:late|after\s+(?:\w+\s+)?(?:at\s+night|in\s+the\s+evening|"
        r"pm|o'clock|\d+|six|seven|eight|nine|ten|eleven)|the\s+next\s+day|a\s+day\s+late|"
        r"(?:hours|days)\s+late)\b"
        r"|\b(?:always|never\s+on\s+time|again)\s+late\b|\blate\s+again\b"
    ),
    "price": re.compile(
        r"\b(?:gone|went|goes|going)\s+up\b|\b(?:price|prices|bill|fee|premium|cost)\s+(?:\w+\s+)?"
        r"(?:rise|rises|increase|increased|hike|doubled|jumped)\b"
        r"|\b(?:too|so|really)\s+(?:expensive|pricey|dear)\b|\bcan't\s+afford\b|\bafford\s+it\b"
        r"|\b(?:cheaper|half\s+the\s+price|for\s+less|costs?\s+(?:too\s+much|more|less)|"
        r"paying\s+(?:too\s+much|more|double)|a\s+lot\s+of\s+money|"
        r"not\s+worth\s+(?:it|the\s+money)|on\s+a\s+pension|tight\s+budget)\b"
        # another's price set against the company's: "she's charging about half what we pay
        # you", "I want to pay less", "eleven hundred a month with you"
        r"|\b(?:half|a\s+third|a\s+fraction)\s+(?:of\s+)?what\s+(?:we|i)\s+(?:pay|paid)\b"
        r"|\bpay(?:ing)?\s+less\b|\ba\s+(?:month|year)\s+with\s+you\b"
        # a sum risen: "it's gone from twenty-nine a month to forty-one"
        r"|\b(?:gone|went|jumped|increased|risen|rose|climbed|going)\s+(?:up\s+)?from\s+(?:\$|£|€)?"
        r"(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
        r"forty|fifty|sixty|seventy|eighty|ninety|a\s+hundred)\S*\s+(?:\S+\s+){0,4}?to\b"
    ),
    "non_usage": re.compile(
        r"\b(?:don't|do\s+not|doesn't|didn't|haven't|hasn't|never|hardly|barely|rarely)\s+(?:really\s+|"
        r"even\s+|actually\s+|ever\s+)?(?:use|used|using|been\s+using|get\s+(?:round|around)\s+to)\b"
        r"|\bnot\s+(?:using|been\s+using|getting\s+(?:round|around)\s+to)\b"
        r"|\bpiling\s+up\b|\b(?:pile|piles|stack)\s+of\b|\bunopened\b|\bunused\b"
        # what was bought left untouched: "eleven boxes in there I haven't opened"
        r"|\b(?:haven't|have\s+not|hasn't|never)\s+(?:even\s+)?(?:opened|touched|worn|watched|"
        r"played|read|finished\s+a\s+(?:thing|single))\b"
        r"(?!\s+(?:a|an|the|your|my)\s+(?:ticket|case|complaint|claim|account|email|e-mail|letter|"
        r"message|link|bill|invoice))"
        r"|\bstill\s+(?:in\s+the\s+(?:box|wrapper|wrapping|packaging)|(?:has|have)\s+the\s+"
        r"(?:postage|price)\s+(?:sticker|tag|label))"
    ),
    "other": re.compile(
        # a move of the customer's own ("we're moving to Haifa"), not of their business elsewhere
        # ("we've moved two clients over", "moved to another tool")
        r"\b(?:moving|moved|relocating|relocated|emigrating|move)\s+(?:house|home|abroad|away|out|"
        r"overseas|countries|cities|to\s+(?!(?:another|a\s+new|the\s+new|them|a\s+different)\b)\w+"
        r"(?!\s+(?:plan|tool|provider|company|account|clients?|system|supplier|app)\b))"
        r"|\b(?:relocating|relocated|emigrating)\b"
        r"|\b(?:got|were|was|been|get|getting)\s+(?:bought|taken\s+over)\s+(?:out\s+)?by\b"
        r"|\bbought\s+us\s+out\b"
        r"|\b(?:we're|we\s+are|we've|we\s+have)\s+(?:just\s+)?(?:merging|merged)\s+with\b"
        r"|\b(?:acquired|acquisition|merger|parent\s+company|new\s+owners|consolidat\w+|"
        r"head\s+office\s+decided|the\s+committee|the\s+board\s+decided)\b"
        r"|\b(?:retir\w+|passed\s+away|closing\s+(?:the\s+)?(?:business|shop)|shutting\s+down|"
        r"grew\s+out\s+of|outgrown)\b"
        r"|\bnot\s+(?:about|because\s+of)\s+you\b|\bnothing\s+(?:to\s+do\s+with|wrong\s+with)\s+you\b"
        r"|\bnothing\s+you\s+(?:guys\s+|lot\s+|people\s+)?(?:did|did\s+wrong|could\s+have\s+done)\b"
        r"|\bit\s+came\s+from\s+(?:above|upstairs|head\s+office|corporate)\b"
    ),
}
_HE = {
    "product": re.compile(
        r"(?:^|\s)[וש]?(?:התקלקל|התקלקלה|מתקלקל|מתקלקלת|נתקע|נתקעת|נתקעה|קורס|קורסת|קרס|קרסה|"
        r"מקולקל|מקולקלת|פגום|פגומה|תקול|תקולה|באג|באגים|תקלה|תקלות|דולף|דולפת|דולפים)(?=\s|$)"
        r"|(?:^|\s)(?:לא|כבר\s+לא)\s+(?:עובד|עובדת|עובדים|נטען|נטענת|מדליק|נדלק|נדלקת|"
        r"מחזיק|מחזיקה|מתאים|מתאימה|סוחב|סוחבת)(?=\s|$)"
        # (a person "לא מתחבר לזה" doesn't take to it: no fault of the thing)
        r"|(?:^|\s)(?:לא|כבר\s+לא)\s+(?:מתחבר|מתחברת)(?!\s+(?:לזה|אליו|אליה|אליהם|ל\S*מורה|"
        r"לשיעורים|לחוג))(?=\s|$)"
        r"|(?:^|\s)(?:הסוללה|המכשיר|האפליקציה|המערכת|המוצר|הקליטה|החיבור|האיכות)\s+(?:\S+\s+)?"
        r"(?:גרוע|גרועה|זוועה|על\s+הפנים|לא\s+טוב|לא\s+טובה|מתה|מת)(?=\s|$)"
    ),
    "service": re.compile(
        r"(?:^|\s)ו?(?:אף\s+אחד|אף\s+אחת|איש)\s+(?:לא\s+)?(?:\S+\s+)?(?:חזר|חזרה|התקשר|התקשרה|הגיע|הגיעה|"
        r"ענה|ענתה|טרח|טרחה|עזר|עזרה|הסביר|הסבירה|תיקן|הודיע|הודיעה|עדכן|עדכנה)(?=\s|$)"
        r"|(?:^|\s)(?:לא\s+חזרו|לא\s+התקשרו|לא\s+הגיעו|לא\s+הגיע|לא\s+ענו|לא\s+עונים|לא\s+הודיעו|"
        r"לא\s+עדכנו|לא\s+טיפלו|לא\s+מטפלים)(?=\s|$)"
        r"|(?:^|\s)(?:בהמתנה|חיכיתי|חיכינו|המתנתי)(?=\s|$)"
        # waiting on the line, rudeness: "אני מחכה שעה על הקו", "הנציגה הייתה גסה אליי"
        r"|(?:^|\s)(?:מחכה|מחכים|מחכות)\s+(?:\S+\s+){0,2}?(?:על\s+הקו|בטלפון|בהמתנה)(?=\s|$)"
        r"|(?:^|\s)(?:גס|גסה|גסים|גסות|חצוף|חצופה|חצופים|צעק|צעקה|צעקו)\s+(?:\S+\s+)?(?:אליי|עליי|אלינו|"
        r"עלינו|אליו|אליה|רוח)(?=\s|$)"
        r"|(?:^|\s)כל\s+פעם\s+(?:\S+\s+)?(?:מישהו|מישהי|נציג|נציגה)\s+(?:אחר|אחרת|חדש|חדשה)(?=\s|$)"
        r"|(?:^|\s)(?:להסביר|מסביר|מסבירה)\s+(?:\S+\s+){0,3}?(?:מההתחלה|מחדש|שוב)(?=\s|$)"
        r"|(?:^|\s)(?:הבטיחו|הבטיח|הבטיחה)\s+(?:\S+\s+){0,6}?(?:ולא|אבל\s+לא)(?=\s|$)"
        r"|(?:^|\s)(?:השירות|הנציגים|התמיכה|המוקד)\s+(?:\S+\s+)?(?:גרוע|גרועה|זוועה|על\s+הפנים|"
        r"מחפיר|לא\s+קיים|לא\s+קיימת)(?=\s|$)|(?:^|\s)(?:בוט|צ'אטבוט|צ'אט\s+אוטומטי)(?=\s|$)"
        # coming late: "הגיע באיחור של יומיים", "שוב מאחרים", "הגיעה רק למחרת"
        r"|(?:^|\s)(?:הגיע|הגיעה|הגיעו|מגיעים)\s+(?:\S+\s+)?(?:באיחור|מאוחר|רק\s+למחרת|"
        r"למחרת|רק\s+בערב|אחרי\s+(?:שמונה|תשע|עשר|\d+))(?=\s|$)"
        r"|(?:^|\s)(?:שוב|תמיד|כל\s+פעם)\s+(?:\S+\s+)?(?:מאחר|מאחרת|מאחרים|באיחור|איחר|איחרה|איחרו)(?=\s|$)"
        r"|(?:^|\s)(?:איחר|איחרה|איחרו)\s+(?:שוב|עוד\s+פעם)(?=\s|$)"
    ),
    "price": re.compile(
        r"(?:^|\s)[וש]?(?:התייקר|התייקרה|התייקרו|מתייקר|יקר|יקרה|יקרים|זול|זולה|זולים|העלאת\s+מחיר|"
        r"העלאת\s+המחיר)(?=\s|$)"
        r"|(?:^|\s)(?:המחיר|החשבון|התשלום|החיוב|המנוי)\s+(?:\S+\s+)?(?:עלה|קפץ|הוכפל|גבוה)(?=\s|$)"
        r"|(?:^|\s)(?:עלה|עלתה|עלו|קפץ|קפצה)\s+(?:לי\s+|לנו\s+)?ב\S+\s+(?:שקל|אחוז)"
        # "זה עלה ממאה ועשרים למאה שמונים", "קפץ מ-99 ל-149"
        r"|(?:^|\s)(?:עלה|עלתה|עלו|קפץ|קפצה|קפצו)\s+(?:לי\s+|לנו\s+)?מ-?(?:\d|מאה|מאתיים|שלוש|ארבע|חמש|שש|"
        r"שבע|שמונה|תשע|עשר|עשרים|שלושים|ארבעים|חמישים|שישים|שבעים|שמונים|תשעים)\S*\s+(?:\S+\s+){0,4}?"
        r"ל-?(?:\d|מאה|מאתיים|שלוש|ארבע|חמש|שש|שבע|שמונה|תשע|עשר|עשרים|שלושים|ארבעים|חמישים|שישים|שבעים|"
        r"שמונים|תשעים)\S*"
        r"|(?:^|\s)לא\s+(?:יכול|יכולה|יכולים)\s+להרשות(?=\s|$)|(?:^|\s)לא\s+שווה\s+(?:את\s+)?(?:הכסף|זה)"
        r"|(?:^|\s)(?:חצי|שליש)\s+ממה\s+ש(?:אני|אנחנו)\s+(?:משלם|משלמת|משלמים)(?=\s|$)"
        r"|(?:^|\s)(?:לשלם|משלם|משלמת)\s+פחות(?=\s|$)"
    ),
    "non_usage": re.compile(
        r"(?:^|\s)(?:לא|כמעט\s+לא|בקושי|כבר\s+לא)\s+(?:\S+\s+)?(?:משתמש|משתמשת|משתמשים|השתמשתי|"
        r"השתמשנו|מנצל|מנצלת|מנצלים|ניצלתי|ניצלנו)(?=\s|$)"
        r"|(?:^|\s)(?:ערימה|נערמים|נערמות|מצטברים|מצטברות|עומד\s+בצד|עומדים\s+בצד)(?=\s|$)"
        r"|(?:^|\s)(?:לא|עוד\s+לא|אפילו\s+לא)\s+(?:פתחתי|פתחנו|נגעתי|נגענו|לבשתי|צפיתי|קראתי)(?=\s|$)"
        r"|(?:^|\s)(?:עדיין|עוד)\s+(?:סגורות|סגורים|באריזה|בניילון)(?=\s|$)"
    ),
    "other": re.compile(
        r"(?:^|\s)(?:עוברים|עוברת|עובר|עברנו|עברתי)\s+(?:דירה|לגור|לחו\"ל|לחול|לצפון|לדרום|ל\S+)"
        r"|(?:^|\s)(?:רילוקיישן|פרישה|פורש|פורשת|נרכשנו|מיזוג|התמזגנו|הוועד|ההנהלה\s+החליטה|"
        r"החברה\s+האם|הבעלים\s+החדשים|נפטר|נפטרה|סוגרים\s+את\s+העסק|נסגרים|הילדים\s+גדלו|מתמזגים|"
        r"התמזגנו|מתמזגת)(?=\s|$)"
        r"|(?:^|\s)(?:זה\s+)?לא\s+(?:קשור\s+)?(?:אליכם|בגללכם|בכם)(?=\s|$)"
    ),
}
# A change in the customer's life that may only explain another reason ("no time with the new
# baby" is not using it): a weaker sign of `other`.
_LIFE_EVENT = re.compile(
    r"\b(?:new\s+job|pension|the\s+baby|new\s+baby|pregnan\w+|maternity|paternity|divorce|"
    r"diagnos\w+|surgery|illness|grown\s+up|left\s+home|into\s+\w+\s+now|"
    r"(?:got|found|took|starting)\s+a\s+(?:new\s+)?job)\b"
    r"|(?:^|\s)(?:פנסיה|תינוק|תינוקת|הריון|בהריון|לידה|גירושים|ניתוח|מחלה|עבודה\s+חדשה|"
    r"(?:קיבלתי|מצאתי|קיבלה|מצאה|קיבל|מצא)\s+עבודה)(?=\s|$)"
)


def life_event(text: str) -> str | None:
    """The words of a change in the customer's life (a new job, a baby, an illness), or None."""
    m = _LIFE_EVENT.search(normalize(text))
    return m.group(0).strip() if m else None


# A reason denied ("it's not the money", "זה לא המחיר", "money isn't the issue", "the service has
# been fine", "I don't even care if the others are cheaper"): that reason is not given in the
# sentence, nor anywhere in the call (`denied_reasons`). "It's not just the price" gives it.
_DENIED = {
    label: re.compile(
        rf"\b(?:it's|it\s+is|that's|that\s+is)\s+not\s+(?:even\s+|really\s+)?(?:about\s+)?"
        rf"(?:the\s+)?(?:{words})\b(?!\s+(?:alone|either|only))"
        rf"|\b(?:it|that)\s+(?:isn't|wasn't)\s+(?:even\s+|really\s+)?(?:about\s+)?(?:the\s+)?"
        rf"(?:{words})\b|\bnot\s+(?:even\s+)?(?:about\s+)?the\s+(?:{words})\b(?!\s+(?:alone|only))"
        rf"|\bnot\s+that\s+(?:the\s+|your\s+)?(?:{words})\b"
        rf"|\b(?:the\s+|your\s+)?(?:{words})\s+(?:isn't|is\s+not|'s\s+not|wasn't|was\s+not|has\s+never\s+been)"
        rf"\s+(?:really\s+)?(?:the|an?|my)\s+(?:issue|problem|point|reason)\b"
        rf"|\b(?:the|your)\s+(?:{words})\s+(?:is|was|are|were|(?:has|have|'s|'ve)\s+(?:always\s+)?been)\s+"
        rf"(?:always\s+|honestly\s+|really\s+)?(?:fine|great|good|okay|ok|lovely|brilliant|excellent)\b"
        rf"|\bnothing\s+wrong\s+with\s+(?:the\s+|your\s+)(?:{words})\b"
        rf"|\b(?:don't|do\s+not)\s+(?:even\s+|really\s+)?(?:care|mind)\s+(?:if|whether|about|what)\s+"
        rf"(?:\w+\s+){{0,4}}?(?:{care})\b"
        rf"|(?:^|\s)(?:זה\s+)?לא\s+(?:בגלל\s+)?(?:ה)?(?:{he})(?=\s|$)(?!\s+(?:רק|בלבד))"
        rf"|(?:^|\s)ה(?:{he})\s+(?:אצלכם\s+|שלכם\s+)?(?:הוא\s+|היא\s+)?(?:לא\s+הבעיה|לא\s+העניין|לא\s+הסיבה|בסדר|"
        rf"מצוין|מצוינת|טוב|טובה)(?=\s|$)"
        rf"|(?:^|\s)לא\s+אכפת\s+לי\s+(?:\S+\s+){{0,4}}?(?:{he_care})(?=\s|$)"
        rf"{extra}"
    )
    for label, words, care, he, he_care, extra in (
        (
            "price",
            "money|price|cost|bill",
            "cheaper|dearer|price|prices|money|cost|paying|pay",
            "מחיר|כסף",
            "מחיר|המחיר|מהמחיר|כסף|הכסף|מהכסף|לשלם|זול|זולים|יקר|יקרים",
            # not minding paying: "I don't mind paying, but nobody ever answers", "לא אכפת לי לשלם"
            r"|\b(?:don't|do\s+not)\s+(?:even\s+|really\s+)?mind\s+paying\b"
            r"|(?:^|\s)לא\s+אכפת\s+לי\s+לשלם(?=\s|$)",
        ),
        (
            "service",
            "service|staff|people|support",
            "service",
            "שירות|יחס",
            "שירות|השירות|מהשירות",
            "",
        ),
        (
            "product",
            "app|product|quality",
            "quality|product",
            "מוצר|איכות|אפליקציה",
            "איכות|האיכות|מהאיכות",
            "",
        ),
    )
}
# Waving a reason just told aside: "She's a bit cheaper, but honestly that's not the point",
# "וגם האפליקציה ... אבל זה הכי פחות חשוב". What the sentence (or the one before) tells is not
# the reason.
_DISMISSED = re.compile(
    r"\b(?:that's|that\s+is|it's|it\s+is)\s+not\s+(?:really\s+)?(?:the\s+(?:point|issue|reason|"
    r"problem)|why|what\s+(?:this|it)\s+is\s+about)\b"
    r"|\b(?:that's|that\s+is)\s+the\s+least\s+of\s+it\b"
    r"|(?:^|\s)זה\s+(?:הכי\s+פחות\s+חשוב|לא\s+העניין|לא\s+הנקודה|לא\s+הסיבה|פחות\s+חשוב)(?=\s|$)"
)


def denied_reasons(text: str) -> set[str]:
    """The reasons the utterance denies ("it's not the money", "המחיר בסדר")."""
    s = normalize(text)
    return {label for label, pattern in _DENIED.items() if pattern.search(s)}


def dismissed_parts(text: str) -> list[str]:
    """The words of the utterance that a dismissal waves aside: a dismissing sentence's words
    before it, or, when little comes before it ("But that's not why."), the sentence before."""
    sentences = [normalize(s) for s in split_sentences(text)]
    out: list[str] = []
    for i, s in enumerate(sentences):
        m = _DISMISSED.search(s)
        if m is None:
            continue
        before = s[: m.start()]
        if len(before.split()) >= 3:  # "she's a bit cheaper but honestly that's not the point"
            out.append(before)
        elif i > 0:  # "It's cheaper. But that's not why."
            out.append(sentences[i - 1])
    return out


def reasons_said(text: str, language: str) -> dict[str, str]:
    """Per reason, the words of the utterance that show it, sentence by sentence; a reason the
    sentence denies ("it's not the money") is not shown by it."""
    grammar = _HE if language == "he" else _EN
    out: dict[str, str] = {}
    for sentence in split_sentences(text):
        s = normalize(sentence)
        for label, pattern in grammar.items():
            if label in out or (label in _DENIED and _DENIED[label].search(s)):
                continue
            m = pattern.search(s)
            if m is not None:
                out[label] = m.group(0).strip()
    return out
