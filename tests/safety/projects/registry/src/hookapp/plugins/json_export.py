from __future__ import annotations

import json


class Exporter:
    name = "json"
    indent = None

    def export(self, rows: list[dict[str, object]]) -> str:
        return json.dumps(rows, indent=self.indent, sort_keys=True)


class PrettyExporter(Exporter):
    name = "json-pretty"
    indent = 2
