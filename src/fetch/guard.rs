//! No requests into the private network by redirect. A feed the operator configured may live
//! on any address (local bridges are common), and a redirect that stays on its host is
//! followed; but a redirect to another host whose address is loopback, private, link-local or
//! unspecified is refused, unless `[daemon] allow_private_redirects` says otherwise.
//!
//! Host names are checked where they are resolved ([`GuardedResolver`], the client's DNS
//! resolver), so the connection goes to the very addresses that were checked; addresses
//! written into a URL (`127.1`, `2130706433`, `0x7f000001`, `[::ffff:127.0.0.1]`, which the
//! URL parser reads as the addresses they are) are checked before the redirect is followed.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// The words of a refusal, which [`super::classify`] reads as kind `refused`.
pub const NOT_ALLOWED: &str = "address not allowed";

/// What kind of non-public address `ip` is, or `None` for a public one.
pub fn private_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_kind(v4),
            None => v6_kind(v6),
        },
    }
}

fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        // RFC 1918, and RFC 6598 shared address space (carrier-grade NAT).
        Some("private")
    } else if ip.is_link_local() {
        // 169.254/16, where cloud metadata services answer.
        Some("link-local")
    } else if ip.is_broadcast() || ip.is_multicast() {
        Some("broadcast or multicast")
    } else {
        None
    }
}

fn v6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_unique_local() {
        Some("private")
    } else if ip.is_unicast_link_local() {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("broadcast or multicast")
    } else {
        None
    }
}

/// A host name as compared for "the same host": lower case, without a trailing dot.
pub fn host_key(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// The refusal for `host` at `ip`.
pub fn refusal(host: &str, ip: IpAddr, kind: &str) -> String {
    let what = if host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok() {
        format!("{ip} is a {kind} address")
    } else {
        format!("{host} is {ip}, a {kind} address")
    };
    format!(
        "{NOT_ALLOWED}: {what}; only the hosts of configured feeds may be private (set [daemon] allow_private_redirects = true to follow redirects there)"
    )
}

/// Resolves names as the system does; names that are not hosts of configured feeds must
/// resolve to public addresses only.
#[derive(Debug)]
pub struct GuardedResolver {
    /// Host names (see [`host_key`]) that may resolve anywhere.
    pub trusted: HashSet<String>,
    /// Lift the rule for every name.
    pub allow_private: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(String);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let checked = !self.allow_private && !self.trusted.contains(&host_key(&host));
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if checked
                && let Some((ip, kind)) = addrs
                    .iter()
                    .find_map(|a| private_kind(a.ip()).map(|k| (a.ip(), k)))
            {
                return Err(Box::new(Refused(refusal(&host, ip, kind))) as _);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// A resolver for a client trusting `trusted` hosts.
pub fn resolver(trusted: HashSet<String>, allow_private: bool) -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver {
        trusted,
        allow_private,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<&'static str> {
        private_kind(s.parse().unwrap())
    }

    #[test]
    fn non_public_addresses_are_named() {
        for (ip, want) in [
            ("127.0.0.1", Some("loopback")),
            ("127.255.0.9", Some("loopback")),
            ("0.0.0.0", Some("unspecified")),
            ("10.1.2.3", Some("private")),
            ("172.20.0.1", Some("private")),
            ("192.168.1.1", Some("private")),
            ("100.64.0.1", Some("private")),
            ("169.254.169.254", Some("link-local")),
            ("::1", Some("loopback")),
            ("::", Some("unspecified")),
            ("::ffff:127.0.0.1", Some("loopback")),
            ("::ffff:10.0.0.1", Some("private")),
            ("fd00::1", Some("private")),
            ("fe80::1", Some("link-local")),
            ("93.184.216.34", None),
            ("172.32.0.1", None),
            ("100.128.0.1", None),
            ("2606:4700::1111", None),
        ] {
            assert_eq!(kind(ip), want, "{ip}");
        }
    }

    #[test]
    fn url_spellings_of_loopback_are_read_as_loopback() {
        for url in [
            "http://127.1/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0177.0.0.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            let ip: IpAddr = match url::Url::parse(url).unwrap().host().unwrap() {
                url::Host::Ipv4(v4) => v4.into(),
                url::Host::Ipv6(v6) => v6.into(),
                url::Host::Domain(d) => panic!("{url} read as the name {d}"),
            };
            assert_eq!(private_kind(ip), Some("loopback"), "{url}");
        }
    }

    #[tokio::test]
    async fn untrusted_names_resolving_to_loopback_are_refused() {
        let guarded = resolver(HashSet::new(), false);
        let Err(e) = guarded.resolve("localhost".parse().unwrap()).await else {
            panic!("localhost resolved for an untrusted host");
        };
        assert!(e.to_string().starts_with(NOT_ALLOWED), "{e}");
        let trusted = resolver(HashSet::from(["localhost".to_string()]), false);
        assert!(trusted.resolve("localhost".parse().unwrap()).await.is_ok());
        let lifted = resolver(HashSet::new(), true);
        assert!(lifted.resolve("localhost".parse().unwrap()).await.is_ok());
    }
}
