"""Every word list and pattern of the query side, defined once: words, stopwords, numbers, dates, money,
answer types, negation, anaphora and the [n] citation marker."""
from __future__ import annotations

import re

from bm25s.stopwords import STOPWORDS_EN_PLUS

# --- words and stopwords ---------------------------------------------------------------------------
WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
# NLTK's English list (pronouns, auxiliaries) less "won", which is a verb here, plus question words
STOP = (frozenset(STOPWORDS_EN_PLUS) - {"won"}) | frozenset(
    "what which who whom whose when where why how many much does did do is are was were will would "
    "could should can has have had according article articles say said says tell told".split())
ACRONYM = re.compile(r"\b(?:[A-Z]\.){2,}|\bUS\b")  # "U.S.", "U.N.", "US" (not the pronoun "us")
PREPOSITIONS = frozenset(("of", "in", "on", "at", "to", "for", "from", "by"))

# Past forms the stemmer cannot bring back to their verb ("met" must match "meet").
IRREGULAR = {past: base for base, forms in (
    ("meet", "met"), ("win", "won"), ("begin", "began begun"), ("buy", "bought"), ("bring", "brought"),
    ("build", "built"), ("choose", "chose chosen"), ("come", "came"), ("fight", "fought"), ("find", "found"),
    ("fly", "flew flown"), ("give", "gave given"), ("go", "went gone"), ("grow", "grew grown"),
    ("hold", "held"), ("keep", "kept"), ("know", "knew known"), ("lead", "led"), ("leave", "left"),
    ("lose", "lost"), ("make", "made"), ("pay", "paid"), ("run", "ran"), ("say", "said"), ("see", "saw seen"),
    ("sell", "sold"), ("send", "sent"), ("speak", "spoke spoken"), ("spend", "spent"), ("take", "took taken"),
    ("teach", "taught"), ("tell", "told"), ("think", "thought"), ("write", "wrote written"), ("rise", "rose risen"),
    ("fall", "fell fallen"), ("sing", "sang sung"), ("draw", "drew drawn"), ("drive", "drove driven"),
    ("eat", "ate eaten"), ("forget", "forgot forgotten"), ("sink", "sank sunk"), ("strike", "struck"),
    ("shoot", "shot"), ("seek", "sought"), ("catch", "caught"), ("stand", "stood"), ("understand", "understood"),
    ("become", "became"), ("freeze", "froze frozen"),
    ("hide", "hid hidden"), ("ride", "rode ridden"), ("steal", "stole stolen"), ("wear", "wore worn"),
) for past in forms.split()}

# --- numbers ---------------------------------------------------------------------------------------
# "the eleventh season" is "season 11", "three ministers" are "3 ministers" ("one" and "first" say too much else)
NUMERALS = {word: str(n) for n, words in enumerate((
    "", "", "two second", "three third", "four fourth", "five fifth", "six sixth", "seven seventh", "eight eighth",
    "nine ninth", "ten tenth", "eleven eleventh", "twelve twelfth", "thirteen thirteenth", "fourteen fourteenth",
    "fifteen fifteenth", "sixteen sixteenth", "seventeen seventeenth", "eighteen eighteenth", "nineteen nineteenth",
    "twenty twentieth")) for word in words.split()}
# spotting any number word (tens, "million", "dozen" too), unlike NUMERALS which maps words to digits
NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
                "hundred hundreds thousand thousands million millions billion billions dozen dozens").split()
NUMBER = re.compile(r"\b(?:\d[\d,.]*(?:bn|m|k)?|" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
PLURALS = frozenset("people men women children police staff personnel cattle sheep fish deer".split())

# --- dates, years, editions ------------------------------------------------------------------------
MONTHS = ("january february march april may june july august september october november december "
          "monday tuesday wednesday thursday friday saturday sunday").split()
MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"  # a month, abbreviated or not
# a date or a part of one (read lower-cased); a month abbreviated as news agencies write it ("Oct. 28", "Dec 19")
DATE = re.compile(r"\b(?:1[5-9]\d\d|20\d\d|\d{1,2}(?:st|nd|rd|th)|(?:" + "|".join(MONTHS) +
                  r")|" + MON + r"\.?\s+(?:[12]?\d|3[01])(?!\d)"
                  r"|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)(?=\.\s)"
                  r"|(?:last|next|this) (?:year|week|month)|yesterday|today|tomorrow|decades?|centur(?:y|ies))\b")
MONTH_NAME = re.compile(r"\b" + MON + r"[a-z]*\.?(?=\s|,|$)")
MONTH_DAY = re.compile(  # "March 4", "Mar. 4th", "4 March", "4th of March"
    r"\b(?:" + MON + r"[a-z]*\.?\s+(?:[12]?\d|3[01])(?:st|nd|rd|th)?\b"
    r"|(?:[12]?\d|3[01])(?:st|nd|rd|th)?\s+(?:of\s+)?" + MON + r"[a-z]*)")
YEAR = re.compile(r"\b(?:1[5-9]\d\d|20\d\d)\b")
ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b(?![\s-]quarter\b)", re.IGNORECASE)
QUARTER = re.compile(r"\bQ([1-4])\b|\b(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]quarter\b", re.IGNORECASE)
MONTH_BEFORE = re.compile(MON + r"[a-z]*\.?\s+$", re.IGNORECASE)  # "March 4th"
MONTH_AFTER = re.compile(r"^\s+(?:of\s+)?" + MON, re.IGNORECASE)    # "4th of March"

# --- names -----------------------------------------------------------------------------------------
OPENING_NAME = re.compile(r"([A-Z][a-zA-Z’'-]+)(?:\s+[A-Z][a-zA-Z’'-]+)+")
STARTERS = frozenset("in on at after before during since while although though when as for from with by according "
                     "last next this that these those today yesterday earlier later meanwhile however".split())
OPENERS = "“\"‘'(["   # what may open a sentence before its first word: a quotation, a bracket
# a capitalised word not opening a sentence (nor a quotation or bracket that opens one: “We …”, "(The …"), with
# the capitalised words after it
_OPENER = f"[{re.escape(OPENERS)}]"
PROPER = re.compile(rf"(?<![.!?]\s)(?<![.!?]\s{_OPENER})(?<!^{_OPENER})(?<!^)"
                    r"\b[A-Z][a-zA-Z’'-]+(?:\s+[A-Z][a-zA-Z’'-]+)*")

# --- answer types ----------------------------------------------------------------------------------
QUESTION_WORD = r"(?:who|whom|whose|what|when|where|which|why|how)"
AUXILIARY = r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must)"
# a phrase that frames the question after it and asks nothing itself: "According to the CBS poll, what …?",
# "Before the war, how many …?", "In 2020, did …?" (the question's shape is read after it)
# how a question opens: a question word or an auxiliary, perhaps after a preposition
OPENING = r"(?:(?:in|on|at|for|from|to|with|by|of) )?(?:" + QUESTION_WORD + "|" + AUXILIARY + r")\b"
FRAMING = re.compile(r"^(?!" + OPENING + r")[^,;?]{1,150}?,\s*(?=" + OPENING + ")", re.IGNORECASE)
# where a sentence that sets the scene ends and the question begins ("Two planes collided on a runway this week.
# Where did it happen?"): a full stop after a lower-case word (not "U.S.", "Mr.", "Gov."), then a capital
LEAD_IN_END = re.compile(r"(?<![A-Z][a-z]{2}\.)(?<=[a-z0-9”\"')]{2}[.!])\s+(?=[\"“‘'(]?[A-Z])")
# a question that opens as one
OPENS_QUESTION = re.compile("^" + OPENING, re.IGNORECASE)
# a question word left in place ("… on a flight operated by which airline?", "… the voice of who?")
IN_SITU = re.compile(r"\b(?:who|whom|whose|what|which|when|where|how)\b", re.IGNORECASE)
TYPED = {
    "number": re.compile(r"^(?:(?:(?:for|by|in|to|at|within|after|over|of) )?(?:(?:roughly|approximately|about|around|"
                         r"exactly|precisely|just) )?how (?:many|much|old|long|far|often|large|big|tall)"
                         r"|what (?:number|percentage|percent|share|proportion|fraction|amount|price|cost|sum|age)"
                         r"|what (?:is|was|are|were) (?:the |\w+['’]s )(?:\w+ )?(?:price|cost|population|number|amount|"
                         r"size|value|percentage|share|proportion|age|height|length|area|budget|salary|score|revenue|"
                         r"sales|profit|income|earnings|worth|valuation|rate|total|distance|weight|capacity|attendance|"
                         r"turnout))\b"),
    "date": re.compile(r"^(?:when|(?:(?:in|on|by|since|until|from|at) )?(?:what|which) (?:year|date|month|day|time|"
                       r"decade|century)|what (?:is|was|are|were) the (?:\w+ )?(?:date|year|day))\b"),
    "person": re.compile(r"^(?:who|whom|whose|(?:which|what) (?:\w+ )?(?:person|people|man|woman|actor|actress|"
                         r"director|player|singer|artist|author|writer|leader|president|ceo|founder|coach|candidate|"
                         r"politician|minister|official|spokesman|spokeswoman|spokesperson|winner|scientist))\b"),
    "place": re.compile(r"^(?:where|(?:in |to |from )?(?:what|which)(?: other)? (?:city|country|countries|place|town|"
                        r"region|state|nation|continent))\b"),
}
# a question no single sentence answers: a summary, a comparison, a list, a timeline, "what do the articles say"
SYNTHESIS = re.compile(
    r"^(?:summari[sz]e|give (?:me )?(?:a |an )?(?:summary|overview|rundown)|compare|contrast|list\b|outline\b)"
    r"|\b(?:summary of|overview of|timeline|chronology|sequence of events|in chronological order"
    r"|how (?:do|does|did) .{1,60}\b(?:differ|compare)|what (?:are|were) the (?:differences|similarities)"
    r"|(?:what|which) (?:do|does|did) the (?:articles?|reports?|sources?|coverage) (?:say|report|tell)"
    r"|what (?:are|were) (?:all )?the (?:main|key|major) (?:points|events|developments|topics|themes|issues|facts)"
    r"|what (?:are|were) (?:all )?the (?:\w+ ){0,2}(?:mentioned|reported|listed))\b",
    re.IGNORECASE)
# a question a clause answers, not a few words: why, how (not how many, how much...), what someone said or did
EXPLAINS = re.compile(
    r"^(?:why|how(?! (?:many|much|old|long|far|often|large|big|tall|high|fast)\b)|what (?:do|does|did|has|have|had|will"
    r"|would) .{1,80}?\b(?:say|said|mean|tell|told|think|claim|claimed|announce|reveal|argue|suggest|warn|do|done)\b)",
    re.IGNORECASE)
# a question that asks for a name ("What is the name of…", "Which company…", "What will they name their
# daughter?"): a name answers it, as its sentence writes it (capitalised)
NAMES = re.compile(
    r"^(?:what (?:is|was|are|were) the names? of|what (?:\w+ )?names?\b"
    r"|what (?:will|would|did|do|does|is|are|was|were) (?:[\w'’-]+ ){1,5}(?:name|call|nickname)d? "
    r"(?:the|their|his|her|its|it|him|them)\b|(?:which|what) (?:\w+ )?(?:company|companies"
    r"|firm|brand|vendor|make|model|team|organi[sz]ation|agency|network|website|app|show|film|movie|book|song|album"
    r"|band|newspaper|magazine|airline|bank|university|school|hospital|club|party)\b)", re.IGNORECASE)
# a yes/no question: it opens with an auxiliary verb and offers no alternatives ("Is it X or Y?" is not one)
YES_NO = re.compile("^" + AUXILIARY + r"\b(?!.*\bor\b)", re.IGNORECASE)
# a question after the newest state of things: among the sentences that answer it, the newest article's win
LATEST = re.compile(r"\b(?:latest|most recent(?:ly)?|newest|current(?:ly)?|up[- ]to[- ]date|as of (?:now|today)|"
                    r"these days|nowadays|now|at present|presently)\b", re.IGNORECASE)
# "how long" and "how far" ask for a stretch of time or of length: a number of something else does not answer
# ("a two-year negotiation" does, "a $95 million investment" does not; "how far behind schedule": a month)
MEASURED = re.compile(r"\bhow (?:long|far)\b", re.IGNORECASE)
UNITS = re.compile(r"(?:\b|\d)(?:years?|months?|weeks?|days?|hours?|hrs?|minutes?|mins?|seconds?|decades?|"
                   r"centur(?:y|ies)|nights?|miles?|kilomet(?:er|re)s?|km|met(?:er|re)s?|feet|foot|ft|inch(?:es)?|"
                   r"yards?)\b", re.IGNORECASE)
# a question about money is answered by an amount of money, not by a share price move or a date
MONEY_QUESTION = re.compile(
    r"\b(?:revenue|price|cost|budget|salary|sales|profit|income|earnings|worth|valuation|"
    r"fee|fine|funding|wage|bonus|prize money|how much (?:money|\w+ )?(?:did|does|do|is|was|were|"
    r"are|will) .*\b(?:cost|pay|paid|earn|spend|spent|raise|raised|sell|sold|charge|fund|worth)\w*)\b",
    re.IGNORECASE)
# an amount written as money, its number captured: a currency sign or code before it, or a currency word after
MONEY = re.compile(r"(?:[$€£¥₹]|\b(?:US\$|USD|EUR|GBP|Rs\.?)\s?)\s?(\d[\d,.]*\d|\d)"
                   r"|\b(\d[\d,.]*\d|\d)\s?(?:(?:million|billion|trillion)\s)?(?:dollars|euros|pounds|yen|"
                   r"yuan|rupees|francs|won|rubles|roubles|pesos)\b", re.IGNORECASE)
VERBS_AFTER_WHAT = frozenset("happens causes makes means led made took became".split())
FOCUS = re.compile(r"^(?:in |on |at |for |from |to |with |by )?(?:what|which)\s+(?:(?:is|was|are|were)\s+the\s+)?"
                   r"(?:(?:kind|type|sort|name|names)\s+of\s+)?(?:the\s+|a\s+|an\s+)?(?:[\w-]+(?:\s[\w-]+){0,2}['’]s\s+)?"
                   r"([A-Za-z][\w-]*)", re.IGNORECASE)
HOW_MANY = re.compile(r"\bhow many\s+(.*)", re.IGNORECASE)

# --- negation and anaphora -------------------------------------------------------------------------
NEGATION = re.compile(r"\b(?:not|never|no longer|neither|nor|none|nobody|nothing|without|fail(?:ed|s)? to|"
                      r"\w+n['’]t|cannot|refused to|denied|denies|deny)\b", re.IGNORECASE)
ANAPHOR = re.compile(
    r"^(?:this|these|that|those|it|he|she|they|such|there)\b"
    r"|\b(?:this|these|such|that) (?:statement|remarks?|comments?|actions?|moves?|decisions?|reports?|events?|"
    r"gestures?|visits?|meetings?|moments?|developments?|exchanges?|warnings?|claims?|plans?|deals?|agreements?)\b",
    re.IGNORECASE)

# --- citations -------------------------------------------------------------------------------------
MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")   # "[1]", "[1, 3]"
MARKER_SPLIT = re.compile(r"\s*[,;]\s*")
REPEATED_MARKER = re.compile(r"(\[\d+\])(?:\s*\1)+")   # "[1][1]": one marker

# --- questions about the coverage itself (answered from the articles' metadata) -------------------------------
_PIECE = r"(?:piece|story|stories|article|articles|report|reports|column|op-?ed|feature|coverage|interview)"
COVERAGE = {
    "count": re.compile(r"^how many (?:news )?(?:articles|stories|reports|pieces|sources)\b", re.IGNORECASE),
    "which": re.compile(r"^(?:which|what) (?:news )?(?:articles|stories|reports|pieces|sources)\b"
                        r"(?! (?:say|said|report|reported|state|stated)\b)", re.IGNORECASE),
    "first": re.compile(r"\b(?:first|earliest) (?:news )?" + _PIECE + r" (?:on|about|of|covering|mentioning)\b",
                        re.IGNORECASE),
    "latest": re.compile(r"\b(?:latest|most recent|newest|last) (?:news )?" + _PIECE +
                         r" (?:on|about|of|covering|mentioning)\b", re.IGNORECASE),
    "outlet": re.compile(r"^(?:which|what) (?:news )?(?:outlet|newspaper|paper|publication|site|website|network|"
                         r"broadcaster|magazine|media|organi[sz]ation|publisher)s?\b.*\b(?:ran|run|runs|published|"
                         r"publish|publishes|reported|report|carried|covered|wrote|broke)\b", re.IGNORECASE),
    "author": re.compile(r"^who (?:wrote|authored|penned|reported|bylined)\b.*\b" + _PIECE + r"\b"
                         r"|^who (?:is|was) the (?:author|reporter|writer) of\b", re.IGNORECASE),
    "when": re.compile(r"^(?:when|on what (?:date|day)|what day) (?:did|was|were|does) .*\b(?:publish(?:ed)?|ran|run|"
                       r"report(?:ed)?|post(?:ed)?|come out|came out|written|write|appear(?:ed)?)\b.*\b" + _PIECE +
                       r"\b|^(?:when|on what date) (?:was|were) (?:the |its |their |a )?(?:news )?" + _PIECE +
                       r"\b.*\b(?:published|posted|written|run)\b", re.IGNORECASE),
}
# what a coverage question is about: the words after "about", "on", "mentioning"...
COVERAGE_TOPIC = re.compile(r"\b(?:about|on|of|covering|mentioning|mention|mentions|regarding|concerning|"
                            r"that (?:mention|cover|report)s?|(?:reported|said|wrote|broke|found) that)\s+(.+?)"
                            r"(?:\s+(?:published|posted|written|run|come out|came out|appear(?:ed)?))?\s*\??$",
                            re.IGNORECASE)
