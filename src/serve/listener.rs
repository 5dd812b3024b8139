//! A listener that holds at most [`MAX_CONNECTIONS`] connections open at once: past that, new
//! connections wait in the kernel's backlog until one closes, instead of each taking memory
//! and a task. Each accepted connection carries its permit and gives it back when dropped.

use axum::serve::Listener;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Connections open at once.
pub const MAX_CONNECTIONS: usize = 1024;

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
