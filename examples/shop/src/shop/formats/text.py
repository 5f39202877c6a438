def render(rows: list[str]) -> str:
    return "\n".join(f"- {row}" for row in rows)
