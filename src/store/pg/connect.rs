//! Reaching a PostgreSQL server from a `postgres://` or `postgresql://`
//! URL, as PostgreSQL's own tools would (contract §9): the password from
//! the URL, else `PGPASSWORD`, else the password file (`PGPASSFILE` or
//! `~/.pgpass`); the user from the URL, else `PGUSER`, else the login;
//! `sslmode` disable, prefer, require (encrypted, the certificate not
//! checked, as libpq does without a root certificate), verify-ca and
//! verify-full (checked against `sslrootcert`, else
//! `~/.postgresql/root.crt`). TLS is rustls (no OpenSSL to install).
//!
//! A failure is one [`ConnectError`], naming the server and database
//! with the password masked ([`Target::shown`]).

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::path::PathBuf;
use std::sync::Arc;

/// Whether `text` names a PostgreSQL database rather than a file.
pub fn is_url(text: &str) -> bool {
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// Whether `text`, not a URL bangfu reads, looks like one mistyped
/// (`postgres:/db`, `pg://h/db`, `postgresql:db`): a path of that shape
/// would silently become a new SQLite file beside the clerk.
pub fn is_mistyped_url(text: &str) -> bool {
    let lower = text.get(..14).unwrap_or(text).to_ascii_lowercase();
    !is_url(text)
        && ["postgres:", "postgresql:", "pg:", "pgsql:", "postgre:"]
            .iter()
            .any(|p| lower.starts_with(p))
}

/// How the connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// A server and database, ready to connect to.
pub struct Target {
    config: postgres::Config,
    ssl: SslMode,
    root_cert: Option<PathBuf>,
    shown: String,
}

/// Why bangfu could not reach the database; said as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectError {
    /// The URL with its password masked.
    pub target: String,
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The URL itself is wrong.
    BadUrl(String),
    /// Not a URL bangfu reads, though it looks like one.
    NotAUrl,
    /// The root certificate file verify-ca/verify-full needs.
    RootCert { path: String, problem: String },
    /// The server or the network said no (its words).
    Refused(String),
    /// Nothing answered at that host and port.
    NoServer,
    /// The host name is not known.
    UnknownHost,
    /// The server did not answer in time.
    TimedOut,
    /// The server asks for a password and none was found.
    PasswordMissing,
    /// The server refused the password.
    PasswordWrong,
    /// No such database on the server.
    NoSuchDatabase,
    /// The server does not let this login in from here (pg_hba.conf, or
    /// no such role): its words.
    NotAllowed(String),
    /// The server's certificate did not pass the check sslmode asked for.
    Certificate(String),
}

impl Target {
    /// Read a URL; nothing is sent yet.
    pub fn parse(url: &str) -> Result<Target, ConnectError> {
        let mask = masked(url);
        let bad = |why: String| ConnectError {
            target: mask.clone(),
            reason: Reason::BadUrl(why),
        };
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut ssl = SslMode::Prefer;
        let mut root_cert = None;
        let mut rest = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => {
                    ssl = match value {
                        "disable" => SslMode::Disable,
                        "allow" | "prefer" => SslMode::Prefer,
                        "require" => SslMode::Require,
                        "verify-ca" => SslMode::VerifyCa,
                        "verify-full" => SslMode::VerifyFull,
                        other => return Err(bad(format!("sslmode={other}"))),
                    }
                }
                "sslrootcert" => root_cert = Some(PathBuf::from(percent_decoded(value))),
                _ => rest.push(pair),
            }
        }
        let url = if rest.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", rest.join("&"))
        };
        let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| {
            bad(e
                .to_string()
                .trim_start_matches("invalid configuration: ")
                .to_string())
        })?;
        config.ssl_mode(match ssl {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        });
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER")
                .ok()
                .filter(|u| !u.is_empty())
                .or_else(|| whoami::username().ok())
                .unwrap_or_else(|| "postgres".into());
            config.user(&user);
        }
        if config.get_dbname().is_none() {
            let user = config.get_user().unwrap_or("postgres").to_string();
            config.dbname(&user);
        }
        if config.get_password().is_none() {
            if let Some(password) = password_for(&config) {
                config.password(password);
            }
        }
        config.application_name("bangfu");
        Ok(Target {
            config,
            ssl,
            root_cert,
            shown: mask,
        })
    }

    /// The URL as it may be printed: its password masked.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The database's name.
    pub fn dbname(&self) -> &str {
        self.config.get_dbname().unwrap_or("")
    }

    /// Open a session.
    pub fn connect(&self) -> Result<postgres::Client, ConnectError> {
        let refused = |e: postgres::Error| ConnectError {
            target: self.shown.clone(),
            reason: reason(&e),
        };
        match self.ssl {
            SslMode::Disable => self.config.connect(postgres::NoTls).map_err(refused),
            mode => {
                let tls = self.tls(mode)?;
                self.config.connect(tls).map_err(refused)
            }
        }
    }

    fn tls(&self, mode: SslMode) -> Result<tokio_postgres_rustls::MakeRustlsConnect, ConnectError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| self.cert_error("", e.to_string()))?;
        let config = match mode {
            SslMode::VerifyCa | SslMode::VerifyFull => {
                let path = self.root_cert.clone().unwrap_or_else(default_root_cert);
                let shown = path.display().to_string();
                let mut roots = rustls::RootCertStore::empty();
                let certs = CertificateDer::pem_file_iter(&path)
                    .map_err(|e| self.cert_error(&shown, e.to_string()))?;
                for cert in certs {
                    let cert = cert.map_err(|e| self.cert_error(&shown, e.to_string()))?;
                    roots
                        .add(cert)
                        .map_err(|e| self.cert_error(&shown, e.to_string()))?;
                }
                let checked = rustls::client::WebPkiServerVerifier::builder_with_provider(
                    Arc::new(roots),
                    provider,
                )
                .build()
                .map_err(|e| self.cert_error(&shown, e.to_string()))?;
                let verifier: Arc<dyn ServerCertVerifier> = if mode == SslMode::VerifyCa {
                    Arc::new(AnyName(checked))
                } else {
                    checked
                };
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(verifier)
                    .with_no_client_auth()
            }
            _ => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
                .with_no_client_auth(),
        };
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }

    fn cert_error(&self, path: &str, problem: String) -> ConnectError {
        ConnectError {
            target: self.shown.clone(),
            reason: Reason::RootCert {
                path: path.to_string(),
                problem,
            },
        }
    }
}

fn default_root_cert() -> PathBuf {
    home().join(".postgresql").join("root.crt")
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Why connecting failed: the network's common failures by kind, so they
/// can be said in the clerk's language; else the server's own words.
fn reason(e: &postgres::Error) -> Reason {
    use postgres::error::SqlState;
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::INVALID_PASSWORD {
            return Reason::PasswordWrong;
        }
        if *code == SqlState::INVALID_CATALOG_NAME {
            return Reason::NoSuchDatabase;
        }
        if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            return Reason::NotAllowed(db.message().to_string());
        }
    }
    let text = e.to_string();
    // The client's "password missing" is the cause under a configuration
    // error, not in the error's own text (a clerk saw it in English).
    if text.contains("password missing") || words(e).contains("password missing") {
        return Reason::PasswordMissing;
    }
    if text.contains("certificate") || words(e).contains("certificate") {
        return Reason::Certificate(words(e));
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return Reason::NoServer,
                std::io::ErrorKind::TimedOut => return Reason::TimedOut,
                _ if io.to_string().contains("lookup address") => return Reason::UnknownHost,
                _ => {}
            }
        }
        source = s.source();
    }
    if e.to_string().contains("timeout") {
        return Reason::TimedOut;
    }
    Reason::Refused(words(e))
}

/// The server's words: its own message when it answered, else what the
/// network said.
fn words(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text
}

/// `url` with its password — between `:` and `@`, or a `password=`
/// parameter — replaced by `***`. The user's part ends at the last `@`
/// before the parameters that follow the first `@`: a password typed
/// without percent-encoding may hold `@`, `/` or `?` itself.
pub fn masked(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let (scheme, rest) = url.split_at(scheme_end);
    let mut head = String::from(scheme);
    let mut after = rest;
    if let Some(first_at) = rest.find('@') {
        let query = rest[first_at..]
            .find('?')
            .map_or(rest.len(), |q| first_at + q);
        let at = rest[..query].rfind('@').unwrap_or(first_at);
        let userinfo = &rest[..at];
        match userinfo.split_once(':') {
            Some((user, _)) if !user.contains(['/', '?']) => {
                head.push_str(user);
                head.push_str(":***");
                after = &rest[at..];
            }
            _ => {}
        }
    }
    let (base, query) = match after.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (after, None),
    };
    head.push_str(base);
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_string(),
            })
            .collect();
        head.push('?');
        head.push_str(&pairs.join("&"));
    }
    head
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(Ok(b)) = text.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The password for `config` from `PGPASSWORD`, else from the password
/// file, as libpq finds it.
fn password_for(config: &postgres::Config) -> Option<String> {
    if let Some(p) = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()) {
        return Some(p);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".pgpass"));
    let text = std::fs::read_to_string(&file).ok()?;
    #[cfg(unix)]
    {
        // libpq ignores a password file others may read.
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(&file).ok()?.permissions().mode() & 0o077 != 0 {
            return None;
        }
    }
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let wanted = [
        host.as_str(),
        port.as_str(),
        config.get_dbname().unwrap_or(""),
        config.get_user().unwrap_or(""),
    ];
    pgpass_lookup(&text, wanted)
}

/// The first line of a password file whose host, port, database and user
/// match `wanted` (`*` matches anything; `\:` and `\\` are escapes).
fn pgpass_lookup(text: &str, wanted: [&str; 4]) -> Option<String> {
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => field.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
                c => field.push(c),
            }
        }
        fields.push(field);
        if fields.len() != 5 {
            continue;
        }
        if fields[..4]
            .iter()
            .zip(wanted)
            .all(|(f, w)| f == "*" || f == w)
        {
            return fields.pop();
        }
    }
    None
}

/// `sslmode=require`: encrypted, the server's certificate not checked —
/// what libpq does in that mode without a root certificate.
#[derive(Debug)]
struct Unchecked(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `sslmode=verify-ca`: the certificate must chain to the root, whatever
/// host name it names.
#[derive(Debug)]
struct AnyName(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_files() {
        assert!(is_url("postgres://u@h/db"));
        assert!(is_url("PostgreSQL://u@h/db"));
        assert!(!is_url("postgres.db"));
        assert!(!is_url("./postgres://x"));
        for typo in ["postgres:/db", "pg://h/db", "postgresql:db", "PG:district"] {
            assert!(is_mistyped_url(typo), "{typo}");
        }
        for fine in ["postgres://h/db", "bangfu.db", "./pg:x", "pgdata.db"] {
            assert!(!is_mistyped_url(fine), "{fine}");
        }
    }

    #[test]
    fn the_password_is_masked_and_nothing_else() {
        assert_eq!(
            masked("postgres://clerk:s3cr@t@db.example:5432/district?sslmode=require"),
            "postgres://clerk:***@db.example:5432/district?sslmode=require"
        );
        assert_eq!(masked("postgres://clerk@h/db"), "postgres://clerk@h/db");
        assert_eq!(masked("postgres://h/db"), "postgres://h/db");
        assert_eq!(
            masked("postgres://clerk@h/db?sslmode=require&password=hunter2&x=1"),
            "postgres://clerk@h/db?sslmode=require&password=***&x=1"
        );
        assert_eq!(
            masked("postgres://c:pw@h/db?password=pw"),
            "postgres://c:***@h/db?password=***"
        );
    }

    /// A password typed as it is, not percent-encoded, may hold `/` or
    /// `?`: the URL is then not one the server can be reached by, and its
    /// connection error names it — the password masked all the same.
    #[test]
    fn a_password_with_a_slash_or_question_mark_is_masked_too() {
        assert_eq!(
            masked("postgres://clerk:pa/ss@h/db"),
            "postgres://clerk:***@h/db"
        );
        assert_eq!(
            masked("postgres://clerk:pa?ss@h/db?sslmode=require&password=x"),
            "postgres://clerk:***@h/db?sslmode=require&password=***"
        );
        assert_eq!(
            masked("postgres://clerk:a/b?c@d@h:5432/db"),
            "postgres://clerk:***@h:5432/db"
        );
        // An `@` in a parameter is no password's end.
        assert_eq!(
            masked("postgres://u:pw@h/db?application_name=a@b"),
            "postgres://u:***@h/db?application_name=a@b"
        );
        assert_eq!(
            masked("postgres://h/db?application_name=x:y@z"),
            "postgres://h/db?application_name=x:y@z"
        );
    }

    #[test]
    fn sslmodes_libpq_knows_are_read_and_others_refused() {
        let t = Target::parse("postgres://u@h/db?sslmode=verify-full&connect_timeout=5").unwrap();
        assert_eq!(t.ssl, SslMode::VerifyFull);
        assert_eq!(t.dbname(), "db");
        let e = Target::parse("postgres://u:pw@h/db?sslmode=sometimes")
            .err()
            .unwrap();
        assert_eq!(e.target, "postgres://u:***@h/db?sslmode=sometimes");
        assert_eq!(e.reason, Reason::BadUrl("sslmode=sometimes".into()));
    }

    #[test]
    fn the_password_file_is_read_as_libpq_reads_it() {
        let file = "# comment\n\
                    other:5432:*:clerk:no\n\
                    db.example:5432:district:clerk:pa\\:ss\n\
                    *:*:*:*:fallback\n";
        assert_eq!(
            pgpass_lookup(file, ["db.example", "5432", "district", "clerk"]).as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            pgpass_lookup(file, ["x", "1", "y", "z"]).as_deref(),
            Some("fallback")
        );
        assert_eq!(pgpass_lookup("h:1:d:u:p\n", ["h", "2", "d", "u"]), None);
    }
}
