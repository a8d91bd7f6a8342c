"""A spoken English test call: a rant ended kindly, two take-overs with pitches, a not-heard."""

from tests.synth import Turn

CUSTOMER, REP = 0, 1

RANT = [
    "Well, where do I even start. The internet drops every single evening, usually right around "
    "seven, just when my kids need it for homework and I need it for calls with my office.",
    "It has been like this since the middle of August. At first I thought it was the router, so "
    "I restarted it, I moved it to the living room, I even bought a new cable with my own money.",
    "Then I called your support line and waited forty minutes on hold before anyone picked up. "
    "The agent told me to restart the router again, which I had already done ten times.",
    "They sent a technician the following week. He stayed for ten minutes, said the signal looked "
    "fine on his meter, and left. That same evening the connection dropped again at seven.",
    "So I called again. Another technician came, replaced the box on the wall, and told me it "
    "was definitely fixed this time. It was not fixed. Nothing changed at all.",
    "A third technician came in October. He told me the problem was in the street cabinet and "
    "that someone from the network team would call me within two days. Nobody called.",
    "And then, to top it all off, my bill arrived with a charge for every one of those visits. "
    "I am paying you for technicians who did not fix the problem you created in the first place.",
    "I work from home three days a week. Twice this month I lost a video call with a client in "
    "the middle of a presentation. Do you know how that looks to the people I work with?",
    "My neighbour is with another company and she never has these problems. She keeps telling me "
    "to switch, and honestly I kept defending you, because I have been with you for nine years.",
    "Last week my daughter missed the deadline for a school project because the upload kept "
    "failing. She cried at the kitchen table and I had nothing to tell her.",
    "I even asked for a manager on my fourth call. I was promised a call back from a supervisor "
    "the next morning. That call never came either, and I waited at home for it.",
    "But I am done defending you. I have called six times, I have had three visits, I have paid "
    "for all of them, and every evening at seven I am back to using my phone as a hotspot.",
]

TURNS = [
    Turn(REP, "Thanks for calling Lumen Internet, this is Dana. How can I help you today?"),
    Turn(CUSTOMER, "Hi Dana. I want to cancel my internet service. I have had enough."),
    Turn(REP, "I am sorry to hear that. Can you tell me what happened?"),
    Turn(CUSTOMER, RANT[0]),
    Turn(CUSTOMER, RANT[1], gap=0.8),
    Turn(REP, "Mm-hm.", gap=-1.2),
    Turn(CUSTOMER, RANT[2], gap=0.4),
    Turn(CUSTOMER, RANT[3], gap=0.9),
    Turn(CUSTOMER, RANT[4], gap=0.7),
    Turn(REP, "Right.", gap=-1.0),
    Turn(CUSTOMER, RANT[5], gap=0.4),
    Turn(CUSTOMER, RANT[6], gap=0.8),
    Turn(CUSTOMER, RANT[7], gap=0.6),
    Turn(CUSTOMER, RANT[8], gap=0.9),
    Turn(CUSTOMER, RANT[9], gap=0.7),
    Turn(CUSTOMER, RANT[10], gap=0.8),
    Turn(CUSTOMER, RANT[11], gap=0.6),
    Turn(
        REP,
        "Can I stop you for a second? I want to make sure I understood. The connection drops "
        "every evening, three technicians did not fix it, and you were billed for the "
        "visits. Is that right?",
        gap=1.0,
    ),
    Turn(
        CUSTOMER, "Yes, that is exactly it, and I am really tired of calling about it every week."
    ),
    Turn(
        REP,
        "But did you know that our new fiber plan is twice as fast as any other provider "
        "in the city?",
        gap=-0.6,
    ),
    Turn(
        CUSTOMER,
        "I really do not care about the speed of some new plan, I just want the "
        "connection I already pay for to work in the evening.",
    ),
    Turn(
        REP,
        "Our premium package also comes with a free streaming box and priority support.",
        gap=-0.6,
    ),
    Turn(CUSTOMER, "You are not listening to me."),
    Turn(
        REP,
        "I am sorry. What I can do is send a senior technician tomorrow morning at nine, and "
        "I will call you myself at noon to check that it is fixed.",
    ),
    Turn(CUSTOMER, "Okay, fine. One last try."),
]

LABELS = {
    "listen_first": "fail",
    "no_reselling": "fail",
    "cs_leads": "na",
    "kind_rant_interrupt": "pass",
}
