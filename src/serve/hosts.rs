//! Which `Host` a request may name. A web page can make a browser send
//! requests to `serve` through a name it controls that resolves to this
//! machine (DNS rebinding), and read the answers as its own: refusing every
//! name but loopback ones and the bound address takes that away.

use std::net::IpAddr;

use hyper::http::uri::Authority;

/// The `Host` values `serve` answers.
#[derive(Debug, Clone)]
pub struct Hosts {
    /// The address listened on.
    bound: IpAddr,
    /// Names allowed besides (`--allow-host`), lowercase.
    names: Vec<String>,
}

impl Hosts {
    pub fn new(bound: IpAddr, names: &[String]) -> Hosts {
        Hosts {
            bound: bound.to_canonical(),
            names: names.iter().map(|n| normal_name(n)).collect(),
        }
    }

    /// Whether a request with this `Host` header value is answered:
    /// `localhost` and `*.localhost`, loopback addresses, the bound address
    /// (any address when bound to all of them: `0.0.0.0`, `::`), and the
    /// allowed names. The port is not compared: the connection already
    /// reached ours.
    pub fn allows(&self, host: &str) -> bool {
        // A Host is `name[:port]`; `user@` has no place in it.
        if host.contains('@') {
            return false;
        }
        let Ok(authority) = host.parse::<Authority>() else {
            return false;
        };
        let name = normal_name(authority.host());
        let literal = name.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            let ip = ip.to_canonical();
            return ip.is_loopback() || ip == self.bound || self.bound.is_unspecified();
        }
        name == "localhost" || name.ends_with(".localhost") || self.names.contains(&name)
    }
}

/// Lowercase, without the root's trailing dot (`localhost.` is `localhost`).
fn normal_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_the_bound_address_are_answered() {
        let loopback = Hosts::new("127.0.0.1".parse().unwrap(), &[]);
        for host in [
            "localhost",
            "localhost:1111",
            "LocalHost.:1111",
            "docs.localhost:1111",
            "127.0.0.1:1111",
            "127.1.2.3",
            "[::1]:1111",
            "[::ffff:127.0.0.1]:1111",
        ] {
            assert!(loopback.allows(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "localhost@evil.example",
            "evil.example@localhost",
            "192.168.1.20:1111",
            "0.0.0.0:1111",
            "",
            "local host",
            "[::1",
        ] {
            assert!(!loopback.allows(host), "{host}");
        }
    }

    #[test]
    fn a_wider_bind_or_allowed_names_say_otherwise() {
        let lan = Hosts::new("192.168.1.20".parse().unwrap(), &[]);
        assert!(lan.allows("192.168.1.20:1111") && lan.allows("localhost:1111"));
        assert!(!lan.allows("10.0.0.1:1111") && !lan.allows("devbox.lan"));

        let everywhere = Hosts::new("0.0.0.0".parse().unwrap(), &["DevBox.lan".into()]);
        assert!(everywhere.allows("10.0.0.1:1111") && everywhere.allows("[fe80::1]"));
        assert!(everywhere.allows("devbox.lan:1111"));
        assert!(!everywhere.allows("evil.example:1111"));
        assert!(Hosts::new("::".parse().unwrap(), &[]).allows("10.0.0.1"));
    }
}
