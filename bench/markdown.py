"""The Markdown tables of the bench's reports."""


def table(columns: list[str], rows: list[list]) -> str:
    """A Markdown table; a column named with a trailing ":" is right-aligned (figures)."""
    names = [c.removesuffix(":") for c in columns]
    aligns = ["---:" if c.endswith(":") else "---" for c in columns]
    lines = [f"| {' | '.join(names)} |", f"|{'|'.join(aligns)}|"]
    lines += [f"| {' | '.join(str(cell) for cell in row)} |" for row in rows]
    return "\n".join(lines)
