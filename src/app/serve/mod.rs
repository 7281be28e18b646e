//! `govsim serve`: a local web server with one page — the live app for
//! classrooms and analysts — and the JSON API it uses ([`api`]). Every
//! asset is in the binary; the page makes no request elsewhere.
//!
//! The HTTP layer is `tiny_http`: blocking, a handful of small dependencies
//! and no async runtime, which fits a server that a class runs on one
//! laptop and whose work (stepping a model) is itself blocking. A few
//! worker threads take requests; each live run has its own lock, so two
//! runs step at once.

pub mod api;
pub mod controls;

use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use api::{Api, Limits, Reply};

/// The page and its script and style, in the binary.
const INDEX: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/serve/index.html"
));
const SCRIPT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/serve/app.js"));
const STYLE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/serve/app.css"));

/// The largest request body read: a scenario file's text, escaped in JSON.
pub const MAX_BODY_BYTES: u64 = 2 * crate::scenario::load::MAX_FILE_BYTES + 4096;
/// Threads that answer requests.
const WORKERS: usize = 4;

/// What `govsim serve` is started with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to bind.
    pub host: IpAddr,
    /// Port (0: any free one).
    pub port: u16,
    /// Folder of the scenarios offered.
    pub scenarios: PathBuf,
    /// Bounds on live runs.
    pub limits: Limits,
}

/// A bound server, not yet answering.
pub struct Server {
    http: Arc<tiny_http::Server>,
    api: Arc<Api>,
    address: SocketAddr,
}

impl Server {
    /// Binds `config.host:config.port` and reads the scenarios.
    pub fn bind(config: &Config) -> Result<Self, String> {
        let http = tiny_http::Server::http((config.host, config.port))
            .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
        let address = http
            .server_addr()
            .to_ip()
            .ok_or_else(|| "not an IP address".to_string())?;
        Ok(Self {
            http: Arc::new(http),
            api: Arc::new(Api::new(&config.scenarios, config.limits)),
            address,
        })
    }

    /// The page's address.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// The API the server answers with.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Answers requests until `stop` is set.
    pub fn run(&self, stop: &AtomicBool) {
        let loopback = self.address.ip().is_loopback();
        std::thread::scope(|scope| {
            for _ in 0..WORKERS {
                scope.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        match self.http.recv_timeout(Duration::from_millis(200)) {
                            Ok(Some(request)) => answer(&self.api, request, loopback),
                            Ok(None) => {}
                            Err(_) => std::thread::sleep(Duration::from_millis(50)),
                        }
                    }
                });
            }
        });
    }
}

/// Whether the request's `Host` names this machine (a page elsewhere that
/// points a name at 127.0.0.1 — DNS rebinding — is refused).
fn local_host(request: &tiny_http::Request) -> bool {
    let Some(host) = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_string())
    else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name.to_string(),
        _ => host,
    };
    ["127.0.0.1", "localhost", "[::1]"].contains(&name.as_str())
}

/// A request header's value, if given.
fn header(request: &tiny_http::Request, name: &'static str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_string())
}

/// Why a request that changes state is refused, if it is (issue 29, item
/// 13): a page on another site can send a "simple" cross-origin POST
/// without a preflight, so such requests must come from this server's own
/// page (`Origin` and `Sec-Fetch-Site`, where the browser sends them), and
/// a POST must carry JSON, which a simple request cannot.
fn cross_site(request: &tiny_http::Request, method: &str) -> Option<Reply> {
    if matches!(method, "GET" | "HEAD") {
        return None;
    }
    let own = header(request, "Host").map(|host| format!("http://{host}"));
    if let Some(origin) = header(request, "Origin")
        && Some(&origin) != own.as_ref()
    {
        return Some(Reply::error(
            403,
            "Origin",
            "this server changes runs only for its own page",
        ));
    }
    if let Some(site) = header(request, "Sec-Fetch-Site")
        && !matches!(site.as_str(), "same-origin" | "none")
    {
        return Some(Reply::error(
            403,
            "Sec-Fetch-Site",
            "this server changes runs only for its own page",
        ));
    }
    // DELETE is not a simple method: a browser asks first, and is refused.
    if method != "POST" {
        return None;
    }
    let json = header(request, "Content-Type").is_some_and(|t| {
        t.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    });
    (!json).then(|| {
        Reply::error(
            415,
            "Content-Type",
            "send the body as JSON, with Content-Type: application/json",
        )
    })
}

fn answer(api: &Api, mut request: tiny_http::Request, loopback: bool) {
    let method = request.method().as_str().to_string();
    let url = request.url().to_string();
    let reply = if loopback && !local_host(&request) {
        Reply::error(
            403,
            "Host",
            "this server answers only requests for 127.0.0.1 or localhost",
        )
    } else if let Some(refused) = cross_site(&request, &method) {
        refused
    } else if request
        .body_length()
        .is_some_and(|n| n as u64 > MAX_BODY_BYTES)
    {
        Reply::error(
            413,
            "body",
            &format!("request body larger than {MAX_BODY_BYTES} bytes"),
        )
    } else {
        let mut body = Vec::new();
        let read = request
            .as_reader()
            .take(MAX_BODY_BYTES + 1)
            .read_to_end(&mut body);
        match read {
            Err(e) => Reply::error(400, "body", &format!("cannot read the body: {e}")),
            Ok(_) if body.len() as u64 > MAX_BODY_BYTES => Reply::error(
                413,
                "body",
                &format!("request body larger than {MAX_BODY_BYTES} bytes"),
            ),
            Ok(_) => route(api, &method, &url, &body),
        }
    };
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    let mut headers = vec![
        ("Content-Type", reply.content_type.to_string()),
        ("Cache-Control", "no-store".to_string()),
        ("X-Content-Type-Options", "nosniff".to_string()),
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'".to_string(),
        ),
    ];
    if let Some(name) = reply.download {
        headers.push((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ));
    }
    for (field, value) in headers {
        if let Ok(header) = tiny_http::Header::from_bytes(field.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    // The client may have gone; nothing to do then.
    let _ = request.respond(response);
}

/// The page and its assets, else the API.
fn route(api: &Api, method: &str, url: &str, body: &[u8]) -> Reply {
    let path = url.split('?').next().unwrap_or(url);
    let asset = |content_type: &'static str, text: &str| Reply {
        status: 200,
        content_type,
        body: text.as_bytes().to_vec(),
        download: None,
    };
    match (method, path) {
        ("GET", "/" | "/index.html") => asset("text/html; charset=utf-8", INDEX),
        ("GET", "/app.js") => asset("text/javascript; charset=utf-8", SCRIPT),
        ("GET", "/app.css") => asset("text/css; charset=utf-8", STYLE),
        _ => api.handle(method, path, body),
    }
}
