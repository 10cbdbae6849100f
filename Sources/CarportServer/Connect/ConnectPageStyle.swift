/// The stylesheet and the brand-search script of the Connect pages (served inline under a CSP nonce).
enum ConnectPageStyle {
    static let css = """
    :root{--ink:#14202b;--muted:#5b6875;--line:#dde3e9;--accent:#0b6bcb;--accent-ink:#fff;--bg:#f3f6f9;--danger:#b42318}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
    .page-content{min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:32px 16px}
    .card{width:100%;max-width:440px;background:#fff;border:1px solid var(--line);border-radius:16px;padding:28px;box-shadow:0 8px 24px rgba(20,32,43,.06)}
    .topbar{display:flex;align-items:center;justify-content:space-between;margin-bottom:20px;font-size:14px;color:var(--muted)}
    .wordmark{font-weight:700;color:var(--ink);letter-spacing:.02em}
    .mode{border:1px solid var(--line);border-radius:999px;padding:2px 10px;font-size:12px;text-transform:uppercase}
    h1{font-size:22px;line-height:1.3;margin:0 0 8px}
    p{margin:0 0 16px;color:var(--muted)}
    .app{color:var(--ink);font-weight:600}
    ul.plain{list-style:none;padding:0;margin:0 0 20px}
    ul.plain li{display:flex;gap:10px;align-items:flex-start;padding:10px 0;border-bottom:1px solid var(--line)}
    ul.plain li:last-child{border-bottom:0}
    label{display:block;font-weight:600;font-size:14px;margin:12px 0 6px}
    input[type=email],input[type=password],input[type=search],input[type=text]{width:100%;padding:12px;border:1px solid var(--line);border-radius:10px;font:inherit}
    input:focus,button:focus{outline:3px solid rgba(11,107,203,.35);outline-offset:1px}
    .check{display:flex;gap:10px;align-items:flex-start;font-weight:400;margin:0}
    .check input{margin-top:4px;width:18px;height:18px}
    .required{font-size:12px;color:var(--muted);margin-left:4px}
    .primary,.secondary{display:block;width:100%;padding:12px 16px;border-radius:10px;font:inherit;font-weight:600;cursor:pointer;margin-top:16px}
    .primary{background:var(--accent);color:var(--accent-ink);border:0}
    .secondary{background:#fff;color:var(--ink);border:1px solid var(--line)}
    .brand-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(120px,1fr));gap:10px;margin-top:16px}
    .brand-list-item{display:flex;flex-direction:column;align-items:center;gap:8px;padding:14px 8px;background:#fff;border:1px solid var(--line);border-radius:12px;font:inherit;cursor:pointer}
    .brand-list-item:hover{border-color:var(--accent)}
    .brand-logo{width:40px;height:40px;border-radius:50%;background:var(--bg);display:flex;align-items:center;justify-content:center;font-weight:700}
    .message{background:#fef3f2;color:var(--danger);border-radius:10px;padding:10px 12px;margin-bottom:12px}
    .fine{font-size:13px;color:var(--muted);margin-top:16px}
    .vehicle{font-weight:600}
    .vin{font-size:13px;color:var(--muted)}
    .bare{border:0;padding:0;margin:0}
    code{display:block;word-break:break-all;background:var(--bg);border-radius:8px;padding:8px 10px;color:var(--ink);font-size:13px}
    [hidden]{display:none!important}
    @media (max-width:480px){.card{padding:20px;border-radius:12px}.page-content{padding:12px}}
    """

    /// Filters the brand list as the owner types; without JavaScript the search form filters on the server.
    static let brandSearchScript = """
    document.getElementById('brand-search').addEventListener('input', function (e) {
      var q = e.target.value.trim().toLowerCase();
      document.querySelectorAll('.brand-list-item').forEach(function (b) {
        b.hidden = q !== '' && b.dataset.name.toLowerCase().indexOf(q) === -1 && b.id.toLowerCase().indexOf(q) === -1;
      });
    });
    """
}
