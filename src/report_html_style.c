/* report_html_style.c: the HTML report's one stylesheet, and its SHA-256 for the page's
 * Content-Security-Policy (style-src 'sha256-...'): no inline style attribute and no other
 * stylesheet is allowed to apply. Changing a byte of the style changes the hash:
 * tests/t_report.sh recomputes it from a report and prints the right value when they differ. */
#include "report_doc.h"

const char doc_html_style[] =
    "body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
    "color:#212121;background:#fafafa;margin:0}\n"
    "main{max-width:980px;margin:0 auto;padding:20px 28px 48px;background:#fff}\n"
    "h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:30px 0 8px;"
    "border-bottom:1px solid #e0e0e0;padding-bottom:4px}\n"
    "h3{font-size:16px;margin:22px 0 6px}\n"
    ".headline{font-size:17px;border-left:6px solid #c62828;background:#fff5f5;"
    "padding:10px 14px;margin:12px 0}\n"
    ".headline.ok{border-color:#2e7d32;background:#f3faf3}\n"
    ".headline p{margin:4px 0}.fix{font-weight:600}\n"
    ".note{color:#555;font-size:13px}\n"
    "table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #e0e0e0;"
    "padding:3px 8px;text-align:left;vertical-align:top}\n"
    "th{background:#f5f5f5;font-weight:600}\n"
    ".num,.axis,.legend,.label,.head{font:12px ui-monospace,Menlo,Consolas,monospace;"
    "fill:#37474f}\n"
    ".head{font-weight:700}.label.hot{font-weight:700;fill:#b71c1c}\n"
    ".cause{border:1px solid #e0e0e0;border-radius:6px;padding:4px 14px 10px;margin:14px 0}"
    "\n"
    ".card{border:1px solid #cfd8dc;border-radius:6px;padding:6px 14px 10px;margin:12px 0}\n"
    ".card.bad{border-color:#e57373}\n"
    ".mono,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;"
    "word-break:break-all}\n"
    ".finding{color:#b71c1c}\n"
    "svg{max-width:100%;height:auto;display:block}\n";

const char doc_html_style_sha256[] = "WgfCsQWnnyi74RoifaWV9O6dgchy9jSIh1U+tPy4qew=";
