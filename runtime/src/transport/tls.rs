//! The HTTP client the runtime builds for itself: rustls with the ring provider and the
//! platform's certificate verifier, no redirects, the SDK's user agent and the timeouts.

use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;

use super::USER_AGENT;

/// Settings for the HTTP client the runtime builds itself.
pub(crate) struct HttpSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    /// Whether any base URL uses `https`; without it, missing CA certificates are no error.
    pub(crate) needs_tls: bool,
}

/// Builds the reqwest client: rustls with the ring provider and the platform's certificate
/// verifier (no process-wide provider is installed), no redirects (a redirect would carry the
/// token elsewhere), the SDK's user agent and the timeouts.
pub(crate) fn build_http_client(settings: &HttpSettings) -> Result<reqwest::Client, Error> {
    let tls = tls_config(settings.needs_tls)?;
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .user_agent(USER_AGENT)
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {}", e.without_url())))
}

fn tls_config(needs_tls: bool) -> Result<rustls::ClientConfig, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("cannot set up TLS: {e}")))?;
    let mut config = match builder.clone().with_platform_verifier() {
        Ok(builder) => builder.with_no_client_auth(),
        Err(e) if needs_tls => {
            return Err(Error::Config(format!(
                "cannot set up TLS certificate checks: {e}"
            )));
        }
        // Plain-HTTP loopback only (tests, local fakes): a machine without CA certificates
        // still works, and any TLS connection is refused.
        Err(_) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(no_roots::RejectAll(provider)))
            .with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

mod no_roots {
    //! A certificate verifier that trusts nothing, for clients that only speak plain HTTP.

    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};

    #[derive(Debug)]
    pub(super) struct RejectAll(pub(super) Arc<CryptoProvider>);

    fn refuse() -> rustls::Error {
        rustls::Error::General("no CA certificates were found on this machine".into())
    }

    impl ServerCertVerifier for RejectAll {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Err(refuse())
        }

        fn verify_tls12_signature(
            &self,
            _message: &[u8],
            _cert: &CertificateDer<'_>,
            _dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Err(refuse())
        }

        fn verify_tls13_signature(
            &self,
            _message: &[u8],
            _cert: &CertificateDer<'_>,
            _dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Err(refuse())
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }
}
