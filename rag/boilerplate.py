"""Rules that tell web-page furniture from content, line by line and paragraph by paragraph.

General patterns, in French and English: site navigation (menu words, bars of
short items separated by ``|`` ``>`` ``›`` ``•``, "Lire aussi : …" links to
other articles), share/print/e-mail controls, cookie banners and their buttons,
comment-form prompts and fields, comment-policy blurbs, subscription and
donation prompts, photo credits. Each rule is a regular
expression over one line or one paragraph; none names a particular site or
article. A paragraph about cookies, comments or subscriptions is content unless
it addresses the reader or states the site's own rules. What this leaves out:
layout cues (we only see plain text) and languages other than French and English.
"""
from __future__ import annotations

import re

_I = re.IGNORECASE

_OBJ = (r"(?:\s+(?:(?:on|sur|par|via|by|with)\s+\S+|to|à|a|this|cet|cette|ce|the|la|le|l'|l’|les|lien|link"
        r"|article|page|story|post|e-?mail|mail|plus tard|later))*")
# A whole line that is a navigation, sharing or cookie control.
NAV_LINE = re.compile(
    r"^\W*(?:accueil|home|menu|rechercher|search|se connecter|connexion|log ?in|sign ?in|s'inscrire|sign ?up"
    r"|envoyer(?: (?:à|a) un ami)?|send|e-?mail(?: (?:to|this))?|version imprimable|printer-friendly|imprimer|print"
    r"|partager|share|copier|copy|tweet(?:er)?|facebook|twitter|linkedin|whatsapp|telegram|pinterest|reddit|bluesky"
    r"|x \(ex-twitter\)|lire (?:aussi|la suite|plus|plus tard)|read (?:more|also|later)|voir aussi|see also"
    r"|retour(?: en haut)?|back to top|écouter(?: cet article| l'article)?|listen to|suivez-nous|follow us"
    r"|newsletters?|s'abonner|subscribe|abonnez-vous|fermer|close|publicit[ée]|advertisement"
    r"|cookies?|(?:tout )?accepter(?: tout)?|(?:tout )?refuser|accept(?: all)?|reject(?: all)?|decline|got it"
    r"|j'ai compris|param[ée]tr(?:er|es)(?: les cookies)?|manage (?:preferences|settings|cookies)|personnaliser"
    r"|customi[sz]e|commentaires?(?: \(\d+\))?|comments?(?: \(\d+\))?|\d+ (?:commentaires?|comments?)|tags?"
    r"|mots-cl[ée]s)" + _OBJ + r"\W*$",
    _I,
)
SOCIAL_ROW = re.compile(  # "Facebook Twitter LinkedIn E-mail": a row of share buttons
    r"^(?:(?:facebook|twitter|x|linkedin|whatsapp|telegram|pinterest|reddit|bluesky|threads|mastodon|messenger|e-?mail"
    r"|imprimer|print|partager|share|copier le lien|copy link)\W*){2,}$",
    _I,
)
RELATED = re.compile(  # "Lire aussi : <another article>", "Read more | <headline>"
    r"^\W*(?:[àa] lire aussi|lire aussi|[àa] lire|read also|also read|read more|see also|voir aussi|related"
    r"|sur le m[êe]me sujet)\s*[:|›>»–—-]",
    _I,
)
NAV_SEP = re.compile(r"\s+[|>›•·»/]\s+")
FORM_FIELD = re.compile(r"^[\w'’ -]{1,25}\s*\*\s*:?$")   # "Nom *", "Email *": a required form field

# A photo credit or caption credit line.
CREDIT_LINE = re.compile(
    r"(creative ?commons|©|\(c\) ?\d{4}|cr[ée]dits? ?(photo)?\s*:|photo\s*:|getty ?images|shutterstock|unsplash"
    r"|wikimedia|\b(afp|ap|epa) photo\b|reuters/|\bpool/|all rights reserved|tous droits r[ée]serv[ée]s"
    r"|^\W*(photos?|cr[ée]dits?|image|illustration)\b(?!\s+(de|du|des|of)\b))",
    _I,
)

# Comment-form prompts, and the comment policy: a comment word with the site's rules.
COMMENT_FORM = re.compile(
    r"^\W*(?:(?:nouveau|ajouter un|laisser un|publier un|r[ée]agir|[ée]crire un|leave a|post a|add a|write a)"
    r"\s+(?:commentaire|comment|reply|(?:à|a) cet article)|(?:votre|your)\s+(?:commentaire|comment|r[ée]action)"
    r"|join the\s+(?:conversation|discussion))\b",
    _I,
)
COMMENT_POLICY = re.compile(r"(commentaire|comment|e-?mail address|adresse (e-?mail|de messagerie|courriel)|required fields"
                            r"|champs obligatoires)", _I)
POLICY_WORDS = re.compile(
    r"(r[ée]serve le droit|reserves? the right|(sont|seront) mod[ée]r[ée]s|(are|will be) moderated"
    r"|charte (de|des) (mod[ée]ration|commentaires|participation)|community guidelines|comment policy|politique de mod[ée]ration"
    r"|ne ser(?:a|ont) pas publi|will not be published)",
    _I,
)

# Subscription and donation prompts addressed to the reader.
SUBSCRIBE = re.compile(
    r"(abonn|subscri|newsletter|faire un don|faites un don|donate|donation|soutenez[- ]nous|soutenir le travail|support us|support our"
    r"|nos offres|our offers)",
    _I,
)
SUBSCRIBE_SHORT = re.compile(
    r"^\W*(d[ée]j[àa] abonn|(article )?r[ée]serv[ée] aux abonn|je m'abonne|s'abonner|abonnez|subscribe|already a subscriber"
    r"|subscribers? only|for subscribers|pour les abonn|become a (member|subscriber)|devenez (membre|abonn)"
    r"|faire un don|faites un don|donate|soutenez[- ](?:nous|notre|une r[ée]daction|le journalisme|l'information)|support us)",
    _I,
)
READER_ADDRESS = re.compile(r"(\bvous\b|\byou\b|\byour\b|^\[.*\]$|^\(.*\)$)", _I | re.S)

# Cookie banners: cookies, consent, and the reader or the site itself.
COOKIES = re.compile(r"(cookies?|traceurs|trackers).*(accept|consent|navigation|param[èe]tr|settings|pr[ée]f[ée]rences)", _I | re.S)
SITE_ADDRESS = re.compile(r"(\bvous\b|\bvotre\b|\byou\b|\byour\b|\b(ce|notre|this|our) (site|website)\b|\bwe use\b)", _I)


def _is_nav_bar(s: str) -> bool:
    """'Home | News | Sport', 'Accueil > Monde > Europe': short items between separators."""
    parts = NAV_SEP.split(s)
    if len(parts) < 2 or any(len(p.split()) > 4 or p.endswith((".", ",", ";", ":")) or p.startswith("«") for p in parts):
        return False
    return len(parts) >= 3 or bool(NAV_LINE.match(parts[0]))


MENU = re.compile(r"^\W*(accueil|home|menu|rechercher|search|se connecter|connexion|log ?in|sign ?in|s'inscrire|sign ?up"
                  r"|newsletters?|s'abonner|subscribe|abonnez-vous)\W*$", _I)


def is_menu_line(line: str) -> bool:
    """True for a line of the site's menu (not a control of the article, such as share or print)."""
    s = line.strip()
    return bool(MENU.match(s)) or len(s.split()) <= 24 and _is_nav_bar(s)


def is_noise_line(line: str) -> bool:
    """True for a single line that is navigation, sharing, a form field or a photo credit."""
    s = line.strip()
    if not s:
        return True
    words = len(s.split())
    if words <= 6 and (NAV_LINE.match(s) or FORM_FIELD.match(s)) or words <= 12 and SOCIAL_ROW.match(s):
        return True
    if words <= 24 and (_is_nav_bar(s) or RELATED.match(s)):
        return True
    return words <= 20 and bool(CREDIT_LINE.search(s))


def is_noise_paragraph(text: str) -> bool:
    """True for a whole paragraph that is a comment prompt or policy, a subscription prompt or a cookie banner."""
    s = text.strip()
    if not re.search(r"\w", s):
        return True
    words = len(s.split())
    if COMMENT_FORM.match(s) and words <= 8:
        return True
    if COMMENT_POLICY.search(s) and POLICY_WORDS.search(s) and words <= 80:
        return True
    if SUBSCRIBE_SHORT.match(s) and words <= 10 or SUBSCRIBE.search(s) and READER_ADDRESS.search(s) and words <= 60:
        return True
    return bool(COOKIES.search(s)) and bool(SITE_ADDRESS.search(s)) and words <= 80


def repeated_lines(lines: list[str], max_words: int = 15) -> set[str]:
    """Short lines that occur more than once in a document (repeated captions, credits, bylines)."""
    seen: dict[str, int] = {}
    for line in lines:
        s = line.strip()
        if s and len(s.split()) <= max_words:
            seen[s] = seen.get(s, 0) + 1
    return {s for s, n in seen.items() if n > 1}
