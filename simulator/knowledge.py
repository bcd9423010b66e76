"""The company's knowledge base as the operator searches it: articles by keyword or title.

Shared by the terminal's ``/conoscenza`` and any console that lists articles; pure domain.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from simulator.language.normalise import normalise, words
from simulator.model import Company, KnowledgeArticle

_MIN_SCORE = 70


def search_knowledge(
    company: Company, query: str, lang: str = "it-IT", limit: int = 3
) -> list[KnowledgeArticle]:
    """Up to ``limit`` articles whose keywords, title or text match ``query``, best first."""
    wanted = normalise(query, lang)
    if not wanted:
        return list(company.knowledge_base[:limit])
    scored: list[tuple[float, int, KnowledgeArticle]] = []
    for order, article in enumerate(company.knowledge_base):
        names = [normalise(name, lang) for name in (article.title, *article.keywords)]
        best = max((fuzz.token_set_ratio(wanted, name) for name in names), default=0.0)
        if best < _MIN_SCORE and set(words(query, lang)) & set(words(article.text, lang)):
            best = _MIN_SCORE  # a word of the text: found, ranked after title and keywords
        if best >= _MIN_SCORE:
            scored.append((best, order, article))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [article for _, _, article in scored[:limit]]
