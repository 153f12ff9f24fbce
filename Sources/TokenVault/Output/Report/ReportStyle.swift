/// The style sheet of the HTML reports: inline, no fonts or images from anywhere, A4 print.
enum ReportStyle {
    static let css = """
        @page { size: A4; margin: 14mm 12mm; }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
               color: #1d1d1f; margin: 0 auto; max-width: 980px; padding: 24px; font-size: 14px; line-height: 1.4; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        h2 { font-size: 16px; margin: 22px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d0d0; }
        .sub { color: #555; margin: 0 0 14px; overflow-wrap: anywhere; }
        .mono, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; }
        .hash { font-family: ui-monospace, Menlo, Consolas, "Liberation Mono", monospace; font-size: 11px; word-break: break-all; }
        .wrap { overflow-wrap: anywhere; word-break: break-word; }
        .verdict { border-radius: 6px; padding: 12px 16px; margin: 12px 0 6px; border: 2px solid; }
        .verdict .headline { font-size: 20px; font-weight: 700; }
        .verdict.ok { background: #e8f5e9; border-color: #2e7d32; color: #1b5e20; }
        .verdict.warn { background: #fff8e1; border-color: #e0a000; color: #6d4c00; }
        .verdict.bad { background: #fdecea; border-color: #c62828; color: #8e1c1c; }
        .checks { margin: 8px 0 0; padding: 0; list-style: none; }
        .checks li { margin: 2px 0; }
        .mark { display: inline-block; width: 1.4em; font-weight: 700; }
        .pass .mark { color: #2e7d32; } .fail .mark { color: #c62828; }
        table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
        th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
        th { background: #f3f4f6; font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        table.facts th { width: 28%; background: none; color: #555; font-weight: 500; }
        .tiles { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; }
        .tile { flex: 1 1 88px; border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; }
        .tile .v { font-size: 18px; font-weight: 700; font-variant-numeric: tabular-nums; }
        .tile .k { color: #555; font-size: 12px; }
        .status { font-weight: 600; }
        .status.completed { color: #2e7d32; } .status.failed { color: #c62828; }
        .status.interrupted, .status.running { color: #a66b00; } .status.dry-run { color: #2f6fb0; }
        .failure { background: #fdecea; border-left: 4px solid #c62828; padding: 8px 12px; overflow-wrap: anywhere; }
        svg.chart { display: block; max-width: 100%; height: auto; font-family: inherit; }
        svg.chart text { fill: #333; }
        .cols { display: flex; gap: 16px; } .cols > * { flex: 1 1 0; min-width: 0; }
        footer { margin-top: 24px; color: #666; font-size: 12px; border-top: 1px solid #ddd; padding-top: 8px; }
        section { break-inside: avoid-page; }
        tr, .tile, .verdict, svg { break-inside: avoid; }
        thead { display: table-header-group; }
        @media print {
          body { max-width: none; padding: 0; font-size: 11px; }
          h1 { font-size: 18px; } h2 { font-size: 14px; margin-top: 14px; }
          .verdict .headline { font-size: 16px; }
          section { break-inside: auto; }
          h2, h3 { break-after: avoid; }
          footer { margin-top: 10px; }
          th, td { padding: 3px 6px; }
          .tile { flex-basis: 70px; padding: 4px 6px; } .tile .v { font-size: 14px; }
        }
        """
}
