"""Every action any code writes to the audit log has a readable name (issue 18): the audit page and its export
show the name in the reader's language, never a bare code like "participant.merge". The actions are found by
reading the source (every `audit.record(...)`, `audit.record_many(...)` and check-in `audit_entry(...)` call),
so a new action without a name fails here, not on the page."""

from __future__ import annotations

import ast
from pathlib import Path

from portal.core.i18n import catalogue
from portal.core.paths import REPO_ROOT
from portal.reports.audit_log import ACTIONS, action_label

WRITERS = {"record", "audit_entry"}  # (actor, action, ...)
MANY = "record_many"  # (actor, [(action, record type, id, after), ...])
# Actions built with an f-string: the values each placeholder takes (say them here when adding one).
EXPANSIONS = {
    "evaluation.{}": ("open", "close", "release", "withhold"),  # portal/evaluation/setup.py: change
    "evaluation.feedback_{}": ("open", "closed"),  # setup.STATES
    "user.link_{}": ("setup", "welcome", "reset"),  # auth.services.create_link purposes
}


def _constants(tree: ast.Module) -> dict[str, str]:
    """The module's string constants (ACTION = "participant.self_correct")."""
    return {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            for target in node.targets if isinstance(target, ast.Name)}


def _strings(node: ast.expr, where: str, constants: dict[str, str]) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.IfExp):
        return _strings(node.body, where, constants) + _strings(node.orelse, where, constants)
    if isinstance(node, ast.JoinedStr):
        pattern = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        assert pattern in EXPANSIONS, f"{where}: say which actions {pattern!r} makes in EXPANSIONS"
        return [pattern.format(value) for value in EXPANSIONS[pattern]]
    raise AssertionError(f"{where}: an audit action that is not written out ({ast.unparse(node)}); name it here")


def written_actions(source: str, filename: str) -> set[str]:
    """The actions the module's audit writes use."""
    found: set[str] = set()
    tree = ast.parse(source)
    constants = _constants(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        where = f"{filename}:{node.lineno}"
        if name in WRITERS:
            found.update(_strings(node.args[1], where, constants))
        elif name == MANY:
            entries = node.args[1]
            for entry in [entries.elt] if isinstance(entries, ast.ListComp | ast.GeneratorExp) else entries.elts:
                found.update(_strings(entry.elts[0], where, constants))
    return found


def _all_written() -> dict[str, str]:
    actions: dict[str, str] = {}
    for path in sorted((REPO_ROOT / "portal").rglob("*.py")):
        if path.name in ("audit.py", "audit_log.py") and path.parent.name in ("core", "reports"):
            continue  # the writer itself and the page's own table
        for action in written_actions(path.read_text(encoding="utf-8"), str(path.relative_to(REPO_ROOT))):
            actions.setdefault(action, str(path.relative_to(REPO_ROOT)))
    return actions


def test_every_action_written_to_the_audit_log_has_a_name():
    written = _all_written()
    assert {"checkin.create", "checkin.undo", "participant.merge", "participant.create"} <= set(written)
    unnamed = {action: path for action, path in written.items() if action not in ACTIONS}
    assert not unnamed, f"audit actions without a name in portal/reports/audit_log.py ACTIONS: {unnamed}"


def test_every_name_reads_in_bangla_too():
    bangla = catalogue("bn")
    assert not [label for label in ACTIONS.values() if label not in bangla]


def test_the_scan_sees_a_new_action_and_an_unexplained_one(tmp_path: Path):
    source = ('ACTION = "thing.constant"\n'
              'async def f(actor):\n    await audit.record(actor, "thing.new" if x else "thing.old", "t", 1)\n'
              '    await audit.record_many(actor, [("thing.many", "t", i, None) for i in ids])\n'
              '    await audit.record(actor, ACTION, "t", 1)\n')
    assert written_actions(source, "x.py") == {"thing.new", "thing.old", "thing.many", "thing.constant"}
    try:
        written_actions('audit.record(actor, f"thing.{kind}", "t", 1)', "y.py")
    except AssertionError as exc:
        assert "EXPANSIONS" in str(exc)
    else:
        raise AssertionError("an f-string action went unnoticed")


def test_an_unknown_code_is_shown_as_itself_and_a_known_one_by_name():
    assert action_label("nobody.wrote.this") == "nobody.wrote.this"
    assert action_label("participant.merge") != "participant.merge"
