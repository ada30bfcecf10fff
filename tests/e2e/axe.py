"""axe-core in the browser tests: one helper every accessibility check goes through.

axe is vendored from npm (`make vendor`, static/vendor/axe-core) and injected through
Playwright's evaluate, which is not subject to the page's Content-Security-Policy; no page of
SIGAP loads it. A finding of impact "serious" or "critical" fails; lesser ones are reported
only in the message of a failure.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")
# WCAG 2.1 A and AA, and axe's best practices (nested-interactive, scrollable-region-focusable…).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_findings(page, *, include: str | None = None) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now (menus open, a step
    shown...): one dict per rule with its id, impact, help and the first offending elements."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    results = page.evaluate(
        """async ([include, tags]) => {
            const context = include ? {include: [include]} : document;
            const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
            const r = await window.axe.run(context, options);
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({
                    target: n.target.join(' '), summary: n.failureSummary,
                })),
            }));
        }""",
        [include, TAGS],
    )
    return [v for v in results if v["impact"] in FAILING]


def describe(where: str, findings: list[dict]) -> str:
    lines = [f"{where}:"]
    for v in findings:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"]:
            summary = (node["summary"] or "").replace("\n", " ")[:300]
            lines.append(f"      {node['target']}  {summary}")
    return "\n".join(lines)


def assert_accessible(page, where: str | None = None) -> None:
    """Fail on any serious or critical axe finding on the page as it is now."""
    findings = axe_findings(page)
    assert not findings, describe(where or page.url, findings)


def small_tap_targets(page, minimum: int = 44) -> list[str]:
    """Visible controls a finger must hit that are smaller than ``minimum`` px in height: fields,
    buttons, menu entries and checkbox/radio rows (the row is the target: its label is tappable)."""
    return page.evaluate(
        """min => {
            const seen = [];
            const targets = document.querySelectorAll(
                'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, '
                + 'button, .btn, .navbar-nav .nav-link, .form-check');
            for (const el of targets) {
                if (el.closest('[hidden], .visually-hidden, .visually-hidden-focusable')) { continue; }
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.height === 0) { continue; }
                if (box.height + 0.5 < min) {
                    const name = (el.textContent || el.name || '').trim().slice(0, 30);
                    const tag = `${el.tagName.toLowerCase()}.${el.className}`;
                    seen.push(`${tag} "${name}" ${Math.round(box.height)}px`);
                }
            }
            return seen;
        }""",
        minimum,
    )
