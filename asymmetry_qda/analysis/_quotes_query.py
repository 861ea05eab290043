"""The query of :func:`asymmetry_qda.analysis.quotes`: which codings match (codes, coders, statuses), in which units.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import ArgumentError, QDAWarning, check_option
from ._quotes_columns import QUOTE_STATUSES


def _check_count(name: str, value, alternative: str) -> None:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ArgumentError(f"{name}={value!r} must be a whole number >= 0 {alternative}")


def _codes(name: str, value) -> list[str]:
    if value is None:
        return []
    codes = [value] if isinstance(value, str) else list(value)
    bad = [c for c in codes if not isinstance(c, str) or not c.strip()]
    if bad:
        raise ArgumentError(f"{name}={value!r}: code ids must be non-empty strings, e.g. 'response.blame'")
    return list(dict.fromkeys(c.strip() for c in codes))


def _coders(coder, coders) -> list[str] | None:
    if coder is not None and coders is not None:
        raise ArgumentError("give coder= or coders=, not both (either takes one name or a list)")
    value = coder if coder is not None else coders
    if value is None:
        return None
    names = [value] if isinstance(value, str) else list(value)
    if not names or any(not isinstance(n, str) or not n.strip() for n in names):
        raise ArgumentError(f"coder={value!r}: give a coder's name or initials, or a list of them, e.g. 'LT'")
    return list(dict.fromkeys(n.strip() for n in names))


def _statuses(status) -> list[str] | None:
    if status is None:
        return None
    values = [status] if isinstance(status, str) else list(status)
    for value in values:
        check_option("status", value, QUOTE_STATUSES)
    if not values:
        raise ArgumentError(f"status={status!r}: name at least one of {', '.join(QUOTE_STATUSES)}")
    return list(dict.fromkeys(values))


def _check_columns(codings: pd.DataFrame, unit: str, *, need_text: bool, need_sentences: bool) -> None:
    needed = ["coding_id", "doc_id", "code_id", "start", "end"]
    if unit != "document":
        needed += [unit, f"{unit}_last"]
    if need_sentences:
        needed += ["sentence", "sentence_last"]
    if need_text:
        needed.append("text")
    missing = [c for c in dict.fromkeys(needed) if c not in codings.columns]
    if missing:
        raise ArgumentError(f"codings lacks column(s) {', '.join(missing)}: pass the codings frame of "
                            f"asymmetry_qda.analysis.load(project).codings"
                            + (" (or texts=data.texts)" if missing == ["text"] else ""))


def _with_pseudonyms(codings: pd.DataFrame, participants: pd.DataFrame | None) -> pd.DataFrame:
    if participants is None or "pseudonym" in codings.columns or "participant_id" not in codings.columns:
        return codings
    names = participants.drop_duplicates("participant_id").set_index("participant_id")["pseudonym"]
    return codings.assign(pseudonym=codings["participant_id"].map(names))


def _code_matrix(code_ids: pd.Series, query: list[str], subcodes: bool) -> np.ndarray:
    """Boolean codings × query codes: the coding's code is the query code (or a descendant, with subcodes)."""
    index, uniques = pd.factorize(code_ids.astype(object), use_na_sentinel=True)
    uniques = pd.Series(uniques, dtype=object).astype(str)
    small = np.zeros((len(uniques) + 1, len(query)), bool)  # last row: missing code, matches nothing
    for j, q in enumerate(query):
        hit = uniques.eq(q)
        if subcodes:
            hit |= uniques.str.startswith(q + ".")
        small[:-1, j] = hit.to_numpy()
    return small[np.where(index < 0, len(uniques), index)]


def _warn_unknown(code_ids: pd.Series, query: list[str], subcodes: bool) -> None:
    present = pd.Series(pd.unique(code_ids.dropna().astype(str)), dtype=object)
    unknown = [q for q in query if not _code_matrix(present, [q], subcodes).any()]
    if unknown:
        names = ", ".join(map(repr, unknown))
        what = "or a sub-code" if subcodes else "(sub-codes not included: subcodes=False)"
        warnings.warn(f"no coding has code {names} {what}: check the spelling", QDAWarning, stacklevel=3)


def _warn_unknown_coders(coder_ids: pd.Series, wanted: list[str]) -> None:
    present = sorted(set(coder_ids.dropna().astype(str)))
    unknown = [c for c in wanted if c not in present]
    if unknown:
        warnings.warn(f"no coding by coder {', '.join(map(repr, unknown))}: check the spelling (coders: "
                      f"{', '.join(present) or 'none'})", QDAWarning, stacklevel=3)


def _without_interviewer(codings: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Codings that overlap at least one turn not spoken by an interviewer (``units`` says which are)."""
    if "is_interviewer" not in units.columns or "turn" not in codings.columns or codings.empty:
        return codings
    turns = units[(units["unit"] == "turn") & units["is_interviewer"].fillna(False).astype(bool)]
    asked = set(zip(turns["doc_id"].astype(str), turns["ordinal"].astype(int), strict=True))
    if not asked:
        return codings
    keep = [any((doc, t) not in asked for t in range(int(first), int(last) + 1))
            for doc, first, last in zip(codings["doc_id"].astype(str), codings["turn"], codings["turn_last"],
                                        strict=True)]
    return codings[np.asarray(keep, dtype=bool)]


def _where(codings: pd.DataFrame, where: str) -> pd.DataFrame:
    aliases = {"coder": "coder_id", "code": "code_id"}
    queried = codings.assign(**{alias: codings[column] for alias, column in aliases.items()
                                if column in codings.columns and alias not in codings.columns})
    try:
        kept = queried.query(where).index
    except Exception as exc:  # pandas raises many kinds; name the argument
        raise ArgumentError(f"where={where!r} is not a valid pandas query on the codings "
                            f"(columns: {', '.join(map(str, queried.columns))}): {exc}") from exc
    return codings.loc[kept]


def _query(codings: pd.DataFrame, query: list[str], all_of: list[str], any_of: list[str], none_of: list[str],
           unit: str, subcodes: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """The codings of the query's codes lying in a matching unit, and the first matching unit of each."""
    match = _code_matrix(codings["code_id"], query, subcodes)  # codings × query codes
    position, unit_id, ordinal = _in_units(codings, unit)
    n_units = int(unit_id.max()) + 1 if len(unit_id) else 0
    held = np.column_stack([np.bincount(unit_id, weights=match[position, j], minlength=n_units) > 0
                            for j in range(len(query))]) if len(query) else np.zeros((n_units, 0), bool)
    column = {c: j for j, c in enumerate(query)}
    ok = np.ones(n_units, bool)
    if all_of:
        ok &= held[:, [column[c] for c in all_of]].all(axis=1)
    if any_of:
        ok &= held[:, [column[c] for c in any_of]].any(axis=1)
    if none_of:
        ok &= ~held[:, [column[c] for c in none_of]].any(axis=1)
    wanted = [column[c] for c in dict.fromkeys([*all_of, *any_of])]
    of_query = match[:, wanted].any(axis=1) if wanted else np.ones(len(codings), bool)
    keep = ok[unit_id] & of_query[position]
    kept_position, first = np.unique(position[keep], return_index=True)  # first matching unit of each coding
    return codings.iloc[kept_position].reset_index(drop=True), ordinal[keep][first]


def _in_units(codings: pd.DataFrame, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (coding, unit it overlaps): the coding's position, a dense unit id and the unit's ordinal."""
    doc, _ = pd.factorize(codings["doc_id"].astype(object))
    if unit == "document":
        return np.arange(len(codings)), doc.astype(np.int64), np.zeros(len(codings), np.int64)
    first = codings[unit].to_numpy(dtype=np.int64)
    last = codings[f"{unit}_last"].to_numpy(dtype=np.int64)
    span = np.maximum(last - first + 1, 1)
    position = np.repeat(np.arange(len(codings)), span)
    ordinal = first[position] + np.arange(len(position)) - np.repeat(np.cumsum(span) - span, span)
    key = doc[position].astype(np.int64) * (int(ordinal.max(initial=0)) + 1) + ordinal
    unit_id, _ = pd.factorize(key)
    return position, unit_id.astype(np.int64), ordinal
