//! `govsim serve`: a local web server with one page — the live app for
//! classrooms and analysts — and the JSON API it uses ([`api`]). Every
//! asset is in the binary; the page makes no request elsewhere.
//!
//! The HTTP layer is [`http`]: blocking, one request per connection, on
//! `std::net` with `httparse` for the request head, and no async runtime,
//! which fits a server that a class runs on one laptop and whose work
//! (stepping a model) is itself blocking. Each connection has a thread of
//! its own, at most [`MAX_CONNECTIONS`] at once; every read from a client
//! is bounded in size and time before any work; at most [`LONG_WORK`] runs
//! are built or stepped at once, and each live run has its own lock, so
//! two runs step at once.

pub mod api;
pub mod controls;
pub mod http;

use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use api::{Api, Limits, Reply};
use http::{Head, HeadError, Unread};

/// The page and its script and style, in the binary.
const INDEX: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/serve/index.html"
));
const SCRIPT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/serve/app.js"));
const STYLE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/serve/app.css"));

/// The largest request body read: a scenario file's text, escaped in JSON.
pub const MAX_BODY_BYTES: u64 = 2 * crate::scenario::load::MAX_FILE_BYTES + 4096;
/// Connections served at once, each on a thread of its own; beyond it a
/// connection is answered 503 at once. A client that stalls holds its
/// thread at most [`http::HEAD_WAIT`] + [`http::BODY_WAIT`] +
/// [`http::SEND_WAIT`].
pub const MAX_CONNECTIONS: usize = 64;
/// Long work (building a district, stepping a run) at once: beyond it a
/// long request is answered 503 at once, so that a class stepping many
/// runs does not starve quick requests of the machine's cores (issue 29,
/// item 12).
pub const LONG_WORK: usize = 3;

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
    listener: TcpListener,
    api: Arc<Api>,
    address: SocketAddr,
    /// Counts of connections and of long work in progress.
    busy: Arc<Busy>,
}

/// What the server is doing, counted.
#[derive(Default)]
struct Busy {
    connections: AtomicUsize,
    long_work: AtomicUsize,
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
        let listener = TcpListener::bind((config.host, config.port))
            .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
        let address = listener
            .local_addr()
            .map_err(|e| format!("cannot read the address listened on: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("cannot listen on {address}: {e}"))?;
        Ok(Self {
            listener,
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

    /// Answers requests until `stop` is set. Connections already taken
    /// are finished on their own threads, within their bounds.
    pub fn run(&self, stop: &AtomicBool) {
        let loopback = self.address.ip().is_loopback();
        while !stop.load(Ordering::Relaxed) {
            let stream = match self.listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
                // Out of descriptors, or a connection reset before it was
                // taken: wait a moment and go on.
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            };
            if stream.set_nonblocking(false).is_err() {
                continue;
            }
            let Some(slot) = Slot::take(&self.busy, |b| &b.connections, MAX_CONNECTIONS) else {
                // A reply this short fits the socket's empty send buffer, and
                // it waits on nothing: this thread must go on accepting.
                let busy = Reply::error(
                    503,
                    "",
                    &format!(
                        "the server is answering {MAX_CONNECTIONS} connections; try again in a moment"
                    ),
                );
                respond(stream, busy, Unread::Arrived);
                continue;
            };
            let api = Arc::clone(&self.api);
            let busy = Arc::clone(&self.busy);
            // Without a thread (the machine is out of them) the connection
            // is dropped with the closure.
            let _ = std::thread::Builder::new()
                .name("govsim-serve".into())
                .spawn(move || {
                    let _slot = slot;
                    serve_connection(&api, &busy, stream, loopback);
                });
        }
    }
}

/// Whether the request's `Host` names this machine (a page elsewhere that
/// points a name at 127.0.0.1 — DNS rebinding — is refused).
fn local_host(head: &Head) -> bool {
    let Some(host) = head.header("Host").map(str::to_string) else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name.to_string(),
        _ => host,
    };
    ["127.0.0.1", "localhost", "[::1]"].contains(&name.as_str())
}

/// Why a request that changes state is refused, if it is (issue 29, item
/// 13): a page on another site can send a "simple" cross-origin POST
/// without a preflight, so such requests must come from this server's own
/// page (`Origin` and `Sec-Fetch-Site`, where the browser sends them), and
/// a POST must carry JSON, which a simple request cannot.
fn cross_site(head: &Head, method: &str) -> Option<Reply> {
    if matches!(method, "GET" | "HEAD") {
        return None;
    }
    let own = head.header("Host").map(|host| format!("http://{host}"));
    if let Some(origin) = head.header("Origin")
        && Some(origin) != own.as_deref()
    {
        return Some(Reply::error(
            403,
            "Origin",
            "this server changes runs only for its own page",
        ));
    }
    if let Some(site) = head.header("Sec-Fetch-Site")
        && !matches!(site, "same-origin" | "none")
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
    let json = head.header("Content-Type").is_some_and(|t| {
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

/// Reads one request from `stream`, answers it and closes the connection.
fn serve_connection(api: &Api, busy: &Arc<Busy>, mut stream: TcpStream, loopback: bool) {
    let mut head = match http::read_head(&mut stream) {
        Ok(head) => head,
        // The client went, or stalled: nothing to answer.
        Err(HeadError::Gone) => return,
        Err(HeadError::TooLarge) => {
            let reply = Reply::error(
                431,
                "headers",
                &format!(
                    "request line and headers larger than {} bytes or {} fields",
                    http::MAX_HEAD_BYTES,
                    http::MAX_HEADERS
                ),
            );
            return respond(stream, reply, Unread::Body);
        }
        Err(HeadError::Malformed(why)) => {
            let reply = Reply::error(400, "", &format!("not an HTTP/1.1 request: {why}"));
            return respond(stream, reply, Unread::Body);
        }
    };
    let method = head.method.clone();
    let path = head.path().to_string();
    // Long work waits for no one: without a free slot it is refused now.
    let long = long_work(&method, &path);
    let slot = if long {
        Slot::take(busy, |b| &b.long_work, LONG_WORK)
    } else {
        None
    };
    let length = head.body_length();
    let refused = if loopback && !local_host(&head) {
        Some(Reply::error(
            403,
            "Host",
            "this server answers only requests for 127.0.0.1 or localhost",
        ))
    } else if let Some(refused) = cross_site(&head, &method) {
        Some(refused)
    } else if let Err(why) = length {
        Some(Reply::error(411, "Content-Length", why))
    } else if length.is_ok_and(|n| n > MAX_BODY_BYTES) {
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
        return respond(stream, reply, Unread::Body);
    }
    let length = length.unwrap_or(0);
    // A client that sends its head and stalls its body is given up.
    let Some(body) = http::read_body(&mut stream, &mut head, length) else {
        return;
    };
    let reply = route(api, &method, &head.target, &body);
    drop(slot);
    respond(stream, reply, Unread::Nothing);
}

/// Sends `reply` with the headers every answer has, and closes.
fn respond(stream: TcpStream, reply: Reply, unread: Unread) {
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
    http::send(stream, reply.status, &headers, &reply.body, unread);
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
