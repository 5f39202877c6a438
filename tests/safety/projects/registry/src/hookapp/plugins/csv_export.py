from __future__ import annotations


class Exporter:
    name = "csv"
    delimiter = ","

    def export(self, rows: list[dict[str, object]]) -> str:
        if not rows:
            return ""
        header = list(rows[0])
        lines = [self.delimiter.join(header)]
        lines += [self.delimiter.join(str(row[key]) for key in header) for row in rows]
        return "\n".join(lines)
