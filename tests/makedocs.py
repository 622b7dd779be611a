"""Small HTML pages and PDF files made by the tests themselves (no downloads)."""
from __future__ import annotations

from datetime import datetime, timezone

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>Le port de Lorient agrandit son bassin | Le Courrier du Test</title>
<meta name="author" content="Paul Le Bihan">
<meta property="og:site_name" content="Le Courrier du Test">
<meta property="og:title" content="Le port de Lorient agrandit son bassin">
<meta property="article:published_time" content="2024-05-14T08:00:00+02:00">
</head><body>
<div id="cookie-banner" class="cookie-consent">Nous utilisons des cookies pour améliorer votre expérience sur
notre site. <button>Accepter les cookies</button> <button>Refuser</button></div>
<header><nav><ul><li><a href="/">Accueil</a></li><li><a href="/politique">Politique</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/culture">Culture</a></li></ul></nav></header>
<main><article>
<h1>Le port de Lorient agrandit son bassin</h1>
<p>Le port de pêche de Lorient va agrandir son bassin principal de 300 mètres d'ici 2026, a annoncé mardi
la direction du port devant les armateurs réunis.</p>
<p>Les travaux coûteront 18 millions d'euros, financés pour moitié par la région Bretagne et pour moitié
par l'État, selon le dossier présenté <b>mardi</b> aux élus.</p>
<div class="share"><a>Partager</a> <a>Facebook</a> <a>Twitter</a> <a>Imprimer</a></div>
<p>Cet article est réservé aux abonnés. Abonnez-vous pour lire la suite à partir de 1 euro.</p>
<figure><img src="port.jpg"><figcaption>Le port de Lorient. Photo : Jean Dupont / AFP</figcaption></figure>
<h2>Entretien avec le directeur</h2>
<p>MARC KERJEAN — Nous attendions cet agrandissement depuis quinze ans. Les chalutiers n'ont plus la place
de manœuvrer.</p>
<p>PAUL LE BIHAN — Quand les travaux commenceront-ils ?</p>
<p>MARC KERJEAN — Dès le mois de septembre, si tout va bien.</p>
</article>
<aside class="related"><h3>Lire aussi</h3><ul><li><a href="/a">Brest inaugure son nouveau phare</a></li>
<li><a href="/b">La pêche bretonne en crise</a></li></ul></aside>
<section id="comments" class="comments"><h3>Laisser un commentaire</h3><form><textarea name="c"></textarea>
<input type="text" placeholder="Votre nom"><button>Publier le commentaire</button></form>
<p>Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *</p></section>
</main>
<footer><p>© 2024 Le Courrier du Test. Tous droits réservés.</p><a href="/mentions">Mentions légales</a>
<a href="/contact">Contact</a> <a href="/newsletter">Abonnez-vous à notre newsletter</a></footer>
</body></html>
"""

BOILERPLATE = ["cookies", "Accueil", "Politique", "Sport", "Lire aussi", "Brest inaugure", "commentaire",
               "adresse e-mail", "Tous droits réservés", "Mentions légales", "newsletter", "Le Courrier du Test"]
IN_ARTICLE = ["Partager", "Facebook", "abonnés", "Photo", "AFP"]  # furniture inside <article>

HEADER = "Rapport annuel du port de Brest"
PDF_PAGES = [
    ["Le rapport du port",
     "Le nouveau phare du port de Brest mesure 42 mètres et a coûté 3 millions d'euros, payés par la ville.",
     "La maire, Anne Le Gall, a inauguré le phare le 2 mars 2024 devant mille personnes venues de toute la "
     "région pour la fête du port, et elle a annoncé que"],
    ["le bassin serait dragué avant la fin de l'année pour accueillir les grands navires.",
     "ANNE LE GALL - Je suis très fière de ce phare. Nous l'attendions depuis dix ans."],
    ["Les pêcheurs ont salué le projet, qui doit créer quarante emplois sur le port d'ici 2027."],
]


def make_pdf(pages: list[list[str]] = PDF_PAGES, header: str | None = HEADER, numbers: bool = True,
             title: str | None = "Rapport 2024", author: str | None = "Marie Dupont") -> bytes:
    """A PDF with one text paragraph per entry, each page as given (an explicit page break between pages),
    a running header and a page number at the foot of each page. Latin-1 text only (core fonts)."""
    from fpdf import FPDF

    class Doc(FPDF):
        def header(self):
            if header:
                self.set_font("helvetica", size=8)
                self.cell(0, 8, header, align="C")
                self.ln(14)

        def footer(self):
            if numbers:
                self.set_y(-15)
                self.set_font("helvetica", size=8)
                self.cell(0, 10, f"Page {self.page_no()}", align="C")

    pdf = Doc()
    pdf.set_creation_date(datetime(2024, 3, 3, tzinfo=timezone.utc))  # the same bytes on every call
    pdf.set_auto_page_break(False)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    for paras in pages:
        pdf.add_page()
        for text in paras:
            pdf.set_font("helvetica", size=12)
            pdf.multi_cell(0, 6, text)
            pdf.ln(5)
    return bytes(pdf.output())
