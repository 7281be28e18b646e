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
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
/// Long work (building a district, stepping a run) at once: one worker
/// fewer than there are, so that one is always free for quick requests
/// (issue 29, item 12). Beyond it a long request is answered 503 at once.
const LONG_WORK: usize = WORKERS - 1;
/// How long a worker waits for a request's body before it gives the
/// request up (the client stalled): the body is read on a thread of its
/// own, so that a stalled client holds that thread, not a worker.
const BODY_WAIT: Duration = Duration::from_secs(10);
/// Bodies being read at once; beyond it a request with a body is answered
/// 503 at once, so that stalled clients cannot pile up threads.
const MAX_BODY_READERS: usize = 64;
/// Replies being sent at once, each on a thread of its own: sending one
/// may wait on the client (`tiny_http` first drains a body not read, then
/// writes as fast as the client reads), and that wait must not hold a
/// worker. Beyond it a reply is sent by the worker itself.
const MAX_RESPONDERS: usize = 64;

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
    /// Counts of long work in progress and of bodies being read.
    busy: Arc<Busy>,
}

/// What the workers are doing, counted.
#[derive(Default)]
struct Busy {
    long_work: AtomicUsize,
    body_readers: AtomicUsize,
    responders: AtomicUsize,
}

/// A slot of a counter taken while it is below `max`, given back on drop.
struct Slot(Arc<Busy>, fn(&Busy) -> &AtomicUsize);

impl Slot {
    fn take(busy: &Arc<Busy>, counter: fn(&Busy) -> &AtomicUsize, max: usize) -> Option<Self> {
        counter(busy)
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(Arc::clone(busy), counter))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        (self.1)(&self.0).fetch_sub(1, Ordering::AcqRel);
    }
}

/// Whether a request is long work: a new run (a district built and warmed
/// up) or a step (up to a year of days).
fn long_work(method: &str, path: &str) -> bool {
    method == "POST" && (path == "/api/runs" || path.ends_with("/step"))
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
            busy: Arc::default(),
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
                            Ok(Some(request)) => answer(&self.api, &self.busy, request, loopback),
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

/// The body of `request`, read on a thread of its own and waited for at
/// most [`BODY_WAIT`]; `None` when the client stalled (the request is then
/// given up, and the thread ends when the client goes). Bodies longer than
/// [`MAX_BODY_BYTES`] are cut one byte beyond it, for the caller to refuse.
fn read_body(busy: &Arc<Busy>, request: tiny_http::Request) -> Body {
    let Some(slot) = Slot::take(busy, |b| &b.body_readers, MAX_BODY_READERS) else {
        return Body::Refused(Box::new(request));
    };
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _slot = slot;
        let mut request = request;
        let mut body = Vec::new();
        let read = request
            .as_reader()
            .take(MAX_BODY_BYTES + 1)
            .read_to_end(&mut body)
            .map(|_| body);
        let _ = send.send((request, read));
    });
    match receive.recv_timeout(BODY_WAIT) {
        Ok((request, read)) => Body::Read(Box::new(request), read),
        Err(_) => Body::Stalled,
    }
}

/// What became of reading a request's body.
enum Body {
    /// Read (or failed to read), with the request to answer.
    Read(Box<tiny_http::Request>, std::io::Result<Vec<u8>>),
    /// The client stalled: the request is given up.
    Stalled,
    /// Too many bodies are being read: the request, to refuse.
    Refused(Box<tiny_http::Request>),
}

fn answer(api: &Api, busy: &Arc<Busy>, request: tiny_http::Request, loopback: bool) {
    let method = request.method().as_str().to_string();
    let url = request.url().to_string();
    let path = url.split('?').next().unwrap_or(&url).to_string();
    // Long work waits for no one: without a free slot it is refused now.
    let long = long_work(&method, &path);
    let slot = if long {
        Slot::take(busy, |b| &b.long_work, LONG_WORK)
    } else {
        None
    };
    let refused = if loopback && !local_host(&request) {
        Some(Reply::error(
            403,
            "Host",
            "this server answers only requests for 127.0.0.1 or localhost",
        ))
    } else if let Some(refused) = cross_site(&request, &method) {
        Some(refused)
    } else if request
        .body_length()
        .is_some_and(|n| n as u64 > MAX_BODY_BYTES)
    {
        Some(Reply::error(
            413,
            "body",
            &format!("request body larger than {MAX_BODY_BYTES} bytes"),
        ))
    } else if long && slot.is_none() {
        Some(Reply::error(
            503,
            "",
            &format!(
                "the server is busy with {LONG_WORK} runs being built or stepped; try again in a moment"
            ),
        ))
    } else {
        None
    };
    if let Some(reply) = refused {
        respond(busy, request, reply);
        return;
    }
    let (request, read) = match read_body(busy, request) {
        Body::Read(request, read) => (*request, read),
        // The client sent its headers and stalled: given up.
        Body::Stalled => return,
        Body::Refused(request) => {
            respond(
                busy,
                *request,
                Reply::error(
                    503,
                    "body",
                    "too many requests are sending their bodies; try again",
                ),
            );
            return;
        }
    };
    let reply = match read {
        Err(e) => Reply::error(400, "body", &format!("cannot read the body: {e}")),
        Ok(body) if body.len() as u64 > MAX_BODY_BYTES => Reply::error(
            413,
            "body",
            &format!("request body larger than {MAX_BODY_BYTES} bytes"),
        ),
        Ok(body) => route(api, &method, &url, &body),
    };
    drop(slot);
    respond(busy, request, reply);
}

/// Sends `reply` to `request`'s client on a thread of its own (see
/// [`MAX_RESPONDERS`]).
fn respond(busy: &Arc<Busy>, request: tiny_http::Request, reply: Reply) {
    match Slot::take(busy, |b| &b.responders, MAX_RESPONDERS) {
        Some(slot) => {
            std::thread::spawn(move || {
                let _slot = slot;
                send(request, reply);
            });
        }
        None => send(request, reply),
    }
}

/// Sends `reply` to `request`'s client, with the headers every answer has.
fn send(request: tiny_http::Request, reply: Reply) {
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
