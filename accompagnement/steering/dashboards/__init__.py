"""The SGG pilot's dashboards (`/pilotage/`).

- `scope`: the filters shared by every view (period, DDI kind, region, department, axis,
  CSP, programme), read from the URL, and the queue links that drill down to requests;
- `tables`: every indicator is a `Table` (columns, rows, cells with their drill-down
  link), rendered as HTML, as a chart, and exported as CSV and XLSX;
- one module per view computes its tables in SQL (aggregations, never a Python loop over
  requests): `activity`, `quality`, `geography`, `campaign`, `team`;
- `charts` draws tables as SVG on the server, from the pieces in `svg`; `exports` streams
  them as CSV or XLSX; `formatting` writes values the French way;
- `cache` keeps computed tables until a request changes; `aggregates` adds the SQL
  percentiles Django lacks.
"""
