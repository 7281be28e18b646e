//! The HTTP/1.1 wire of `govsim serve`: one request per connection, every
//! read bounded in size and time before any work (issue 29, item 12).
//!
//! The request line and headers are parsed by `httparse` (hyper's parser);
//! this module owns only what a server must decide itself: how many
//! connections are served at once, how long a client may take to send its
//! head and body, how large each may be, and that every reply closes the
//! connection. A reply has a `Content-Length`; chunked request bodies are
//! refused (the page and `curl` send a length).

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// The largest request line and headers read: beyond it, 431.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// The most header fields a request may have: beyond it, 431.
pub const MAX_HEADERS: usize = 64;
/// How long a client has to send its request line and headers, in all: a
/// client that trickles them slower is given up.
pub const HEAD_WAIT: Duration = Duration::from_secs(10);
/// How long a client has to send its body once its head is read.
pub const BODY_WAIT: Duration = Duration::from_secs(10);
/// How long a client has to take a reply.
pub const SEND_WAIT: Duration = Duration::from_secs(10);
/// After a reply to a request whose body was not read, how much of the
/// body is read and dropped so that closing does not reset the connection
/// before the client has read the reply.
const DRAIN_BYTES: u64 = 8 * 1024 * 1024;
const DRAIN_WAIT: Duration = Duration::from_secs(2);

/// A request's line and headers.
#[derive(Debug)]
pub struct Head {
    /// The method, as sent (`GET`, `POST`, …).
    pub method: String,
    /// The request target: the path and any query.
    pub target: String,
    headers: Vec<(String, String)>,
    /// Bytes read beyond the head: the start of the body.
    rest: Vec<u8>,
}

impl Head {
    /// A header's value (names compared without case), if sent and UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The path of the target, without its query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or(&self.target)
    }

    /// The body's declared length: `Ok(0)` without a body, `Err` with a
    /// reason when it cannot be read (chunked, or a malformed length).
    pub fn body_length(&self) -> Result<u64, &'static str> {
        if self.header("Transfer-Encoding").is_some() {
            return Err("send the body with a Content-Length, not chunked");
        }
        match self.header("Content-Length") {
            None => Ok(0),
            Some(value) => value
                .trim()
                .parse()
                .map_err(|_| "Content-Length is not a number"),
        }
    }
}

/// Why a request's head was not read.
#[derive(Debug)]
pub enum HeadError {
    /// The client closed, stalled past [`HEAD_WAIT`], or the socket failed:
    /// nothing to answer.
    Gone,
    /// Too large: more than [`MAX_HEAD_BYTES`] or [`MAX_HEADERS`] (431).
    TooLarge,
    /// Not an HTTP/1.x request (400), with the parser's reason.
    Malformed(String),
}

/// The time left until `deadline`, or `None` when it has passed.
fn left(deadline: Instant) -> Option<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
}

/// Reads into `buffer` once, waiting at most until `deadline`: the bytes
/// read, or `None` when the client closed, stalled or failed.
fn read_some(stream: &mut TcpStream, buffer: &mut [u8], deadline: Instant) -> Option<usize> {
    loop {
        stream.set_read_timeout(Some(left(deadline)?)).ok()?;
        match stream.read(buffer) {
            Ok(0) => return None,
            Ok(n) => return Some(n),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return None,
        }
    }
}

/// Reads a request's line and headers, at most [`MAX_HEAD_BYTES`] within
/// [`HEAD_WAIT`].
pub fn read_head(stream: &mut TcpStream) -> Result<Head, HeadError> {
    let deadline = Instant::now() + HEAD_WAIT;
    let mut read = Vec::with_capacity(1024);
    let mut buffer = [0u8; 4096];
    loop {
        let room = (MAX_HEAD_BYTES + 1).saturating_sub(read.len());
        if room == 0 {
            return Err(HeadError::TooLarge);
        }
        let n =
            read_some(stream, &mut buffer[..room.min(4096)], deadline).ok_or(HeadError::Gone)?;
        read.extend_from_slice(&buffer[..n]);
        let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut fields);
        match request.parse(&read) {
            Ok(httparse::Status::Partial) => {}
            Ok(httparse::Status::Complete(length)) if length <= MAX_HEAD_BYTES => {
                let headers = request
                    .headers
                    .iter()
                    .filter_map(|h| {
                        let value = std::str::from_utf8(h.value).ok()?;
                        Some((h.name.to_string(), value.trim().to_string()))
                    })
                    .collect();
                return Ok(Head {
                    method: request.method.unwrap_or_default().to_string(),
                    target: request.path.unwrap_or_default().to_string(),
                    headers,
                    rest: read[length..].to_vec(),
                });
            }
            Ok(httparse::Status::Complete(_)) | Err(httparse::Error::TooManyHeaders) => {
                return Err(HeadError::TooLarge);
            }
            Err(e) => return Err(HeadError::Malformed(e.to_string())),
        }
    }
}

/// Reads a body of `length` bytes (the caller has bounded it), within
/// [`BODY_WAIT`]; `None` when the client closed or stalled.
pub fn read_body(stream: &mut TcpStream, head: &mut Head, length: u64) -> Option<Vec<u8>> {
    let deadline = Instant::now() + BODY_WAIT;
    let length = usize::try_from(length).ok()?;
    let mut body = std::mem::take(&mut head.rest);
    body.truncate(length);
    body.reserve(length - body.len());
    let mut buffer = [0u8; 16 * 1024];
    while body.len() < length {
        let want = (length - body.len()).min(buffer.len());
        let n = read_some(stream, &mut buffer[..want], deadline)?;
        body.extend_from_slice(&buffer[..n]);
    }
    Some(body)
}

/// The reason phrase of the statuses this server sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// What of a request may be left unread when its reply is sent: closing a
/// connection with unread bytes resets it, and the client may lose the
/// reply, so they are read and dropped first, within bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unread {
    /// Nothing: the request was read whole.
    Nothing,
    /// Its body may still be on its way: read for at most 2 s.
    Body,
    /// Whatever has arrived already, without waiting for more: for a reply
    /// sent by the thread that accepts connections, which must not wait.
    Arrived,
}

/// Writes a reply and closes the connection, waiting at most
/// [`SEND_WAIT`] for the client to take it, after dropping what `unread`
/// says may be left of the request.
pub fn send(
    mut stream: TcpStream,
    status: u16,
    headers: &[(&str, String)],
    body: &[u8],
    unread: Unread,
) {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (field, value) in headers {
        // A value is never allowed to start a header of its own.
        if !value.contains(['\r', '\n']) {
            head.push_str(&format!("{field}: {value}\r\n"));
        }
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    if stream.set_write_timeout(Some(SEND_WAIT)).is_err() {
        return;
    }
    // The client may have gone; nothing to do then.
    if stream.write_all(head.as_bytes()).is_err() || stream.write_all(body).is_err() {
        return;
    }
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
    let mut sink = [0u8; 16 * 1024];
    let mut drained = 0u64;
    match unread {
        Unread::Nothing => {}
        Unread::Body => {
            let deadline = Instant::now() + DRAIN_WAIT;
            while drained < DRAIN_BYTES {
                match read_some(&mut stream, &mut sink, deadline) {
                    Some(n) => drained += n as u64,
                    None => break,
                }
            }
        }
        Unread::Arrived => {
            if stream.set_nonblocking(true).is_err() {
                return;
            }
            while drained < DRAIN_BYTES {
                match stream.read(&mut sink) {
                    Ok(n) if n > 0 => drained += n as u64,
                    // Closed, nothing more yet (WouldBlock), or failed.
                    _ => break,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A connected pair: the client's end and the server's.
    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn a_head_and_its_body_are_read_across_packets() {
        let (mut client, mut server) = pair();
        client
            .write_all(b"POST /api/runs?x=1 HTTP/1.1\r\nHost: a\r\nContent-Len")
            .unwrap();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            client.write_all(b"gth: 5\r\n\r\nhel").unwrap();
            std::thread::sleep(Duration::from_millis(50));
            client.write_all(b"lo").unwrap();
            client
        });
        let mut head = read_head(&mut server).unwrap();
        assert_eq!(head.method, "POST");
        assert_eq!(head.path(), "/api/runs");
        assert_eq!(head.header("content-length"), Some("5"));
        assert_eq!(head.body_length(), Ok(5));
        assert_eq!(read_body(&mut server, &mut head, 5).unwrap(), b"hello");
        drop(writer.join());
    }

    #[test]
    fn a_head_too_large_or_malformed_is_refused_and_chunked_bodies_too() {
        let (mut client, mut server) = pair();
        let long = format!(
            "GET / HTTP/1.1\r\nX: {}\r\n\r\n",
            "a".repeat(MAX_HEAD_BYTES)
        );
        let writer = std::thread::spawn(move || {
            let _ = client.write_all(long.as_bytes());
            client
        });
        assert!(matches!(read_head(&mut server), Err(HeadError::TooLarge)));
        drop(writer.join());

        let (mut client, mut server) = pair();
        let many: String = (0..MAX_HEADERS + 1)
            .map(|i| format!("X{i}: 1\r\n"))
            .collect();
        client
            .write_all(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes())
            .unwrap();
        assert!(matches!(read_head(&mut server), Err(HeadError::TooLarge)));

        let (mut client, mut server) = pair();
        client.write_all(b"\x00\x01 nonsense\r\n\r\n").unwrap();
        assert!(matches!(
            read_head(&mut server),
            Err(HeadError::Malformed(_))
        ));

        let (mut client, mut server) = pair();
        client
            .write_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
            .unwrap();
        assert!(read_head(&mut server).unwrap().body_length().is_err());
    }

    #[test]
    fn a_client_that_closes_midway_is_gone() {
        let (mut client, mut server) = pair();
        client.write_all(b"GET / HTTP/1.1\r\nHo").unwrap();
        drop(client);
        assert!(matches!(read_head(&mut server), Err(HeadError::Gone)));
    }
}
