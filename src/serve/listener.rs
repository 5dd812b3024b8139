//! The HTTP server's connections: a listener that holds at most a bounded number open at once
//! (past that, new connections wait in the kernel's backlog until one closes, instead of each
//! taking memory, a task and a descriptor), and the loop that serves them with hyper, with a
//! deadline for a request's headers that also bounds how long an idle keep-alive connection
//! is held, so slow or silent clients give their connection back.

use axum::serve::Listener;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Connections open at once when the descriptor limit allows it (see [`connection_limit`]).
pub const MAX_CONNECTIONS: usize = 8_192;
/// How long a client has to send a request's headers, counted from the connection's start
/// or the end of its previous response: a slow-loris client is cut off after this, and so is a
/// keep-alive connection that sends nothing more.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Descriptors kept for the database, outgoing fetches and the rest when sizing the bound.
const RESERVED_FILES: u64 = 512;

/// The bound on open connections for a process allowed `files` open descriptors: what is left
/// after [`RESERVED_FILES`], at most [`MAX_CONNECTIONS`], at least 64.
pub fn connection_limit(files: u64) -> usize {
    (files.saturating_sub(RESERVED_FILES) as usize).clamp(64, MAX_CONNECTIONS)
}

/// Raises the soft limit on open files to the hard limit (systemd's default soft limit is
/// 1,024, its hard limit 524,288) and returns the soft limit in force.
pub fn raise_open_files_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
    }
    lim.rlim_cur
}

/// Serves `app` on `listener` until `stop`, then lets the open connections finish their
/// requests (the caller bounds how long).
pub async fn serve(
    mut listener: Bounded,
    app: axum::Router,
    stop: tokio_util::sync::CancellationToken,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(64 * 1024);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(HEADER_READ_TIMEOUT))
        .keep_alive_timeout(HEADER_READ_TIMEOUT)
        .max_header_list_size(crate::serve::MAX_HEADER_BYTES as u32)
        .max_concurrent_streams(64);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (io, _addr) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stop.cancelled() => break,
        };
        let service = app
            .clone()
            .map_request(|req: axum::http::Request<hyper::body::Incoming>| {
                req.map(axum::body::Body::new)
            });
        let conn = builder
            .serve_connection(TokioIo::new(io), TowerToHyperService::new(service))
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A client that goes away or times out ends its connection; nothing to report.
            let _ = conn.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// [`TcpListener`] with a bound on open connections.
pub struct Bounded {
    inner: TcpListener,
    permits: Arc<Semaphore>,
}

impl Bounded {
    pub fn new(inner: TcpListener, max: usize) -> Bounded {
        Bounded {
            inner,
            permits: Arc::new(Semaphore::new(max)),
        }
    }
}

/// An accepted connection and its permit.
pub struct Counted {
    io: TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl Listener for Bounded {
    type Io = Counted;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Counted, SocketAddr) {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let (io, addr) = Listener::accept(&mut self.inner).await;
        (
            Counted {
                io,
                _permit: permit,
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[test]
    fn the_bound_leaves_descriptors_for_the_rest() {
        assert_eq!(connection_limit(1024), 512);
        assert_eq!(connection_limit(16_384), 8_192);
        assert_eq!(connection_limit(524_288), MAX_CONNECTIONS);
        assert_eq!(connection_limit(100), 64);
    }

    #[tokio::test]
    async fn a_connection_past_the_bound_waits_until_one_closes() {
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        let mut listener = Bounded::new(tcp, 1);
        let mut first = TcpStream::connect(addr).await.unwrap();
        let (held, _) = listener.accept().await;
        let _second = TcpStream::connect(addr).await.unwrap();
        let waiting =
            tokio::time::timeout(std::time::Duration::from_millis(200), listener.accept());
        assert!(
            waiting.await.is_err(),
            "a second connection was accepted past the bound"
        );
        first.shutdown().await.unwrap();
        drop(held);
        let accepted = tokio::time::timeout(std::time::Duration::from_secs(10), listener.accept());
        assert!(
            accepted.await.is_ok(),
            "the waiting connection was never accepted"
        );
    }
}
