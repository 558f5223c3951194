//! Answers kept in memory (rendered pages, compiled-in assets) sent compressed when the
//! client accepts it, each encoding made once and kept beside the plain bytes, with a
//! strong `ETag` per encoding and `304 Not Modified` for a client that already has them.
//! Answers that are not kept (pages for people signed in, errors) are compressed on the
//! fly by [`on_the_fly`]; PDFs never are.

use std::io::Write;
use std::sync::OnceLock;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use tower_http::compression::predicate::{NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, DefaultPredicate};

/// gzip level: 9 gains 1–2% over 6 on the largest page at three times the time, spent
/// once per page and revision.
const GZIP_LEVEL: u32 = 9;
/// Brotli quality: 11 is about ten times slower than 9 for 3–4% less.
const BROTLI_QUALITY: u32 = 9;
/// Brotli window (log2 bytes): larger than the largest page.
const BROTLI_WINDOW: u32 = 22;

/// A content coding this server sends.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Encoding {
    /// The bytes as they are.
    Identity = 0,
    /// `gzip` (RFC 1952).
    Gzip = 1,
    /// `br` (RFC 7932).
    Brotli = 2,
}

impl Encoding {
    /// The best coding the request's `Accept-Encoding` allows: brotli, then gzip, then
    /// the bytes as they are (a coding given `q=0` is refused; `*` stands for any other).
    pub fn negotiate(headers: &HeaderMap) -> Encoding {
        let mut accepts = (None, None, None); // br, gzip, *
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or_default().trim();
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                let slot = if name.eq_ignore_ascii_case("br") {
                    &mut accepts.0
                } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
                    &mut accepts.1
                } else if name == "*" {
                    &mut accepts.2
                } else {
                    continue;
                };
                *slot = Some(q > 0.0);
            }
        }
        let (br, gzip, any) = accepts;
        if br.or(any) == Some(true) {
            Encoding::Brotli
        } else if gzip.or(any) == Some(true) {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }

    /// The `Content-Encoding` value (the entity tag differs between codings too: RFC 9110
    /// 8.8.3, a strong tag names one representation).
    fn token(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some("gzip"),
            Encoding::Brotli => Some("br"),
        }
    }

    /// `bytes` in this coding; `None` if the coding fails or saves nothing.
    fn encode(self, bytes: &[u8]) -> Option<Bytes> {
        let encoded = match self {
            Encoding::Identity => return None,
            Encoding::Gzip => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(GZIP_LEVEL));
                e.write_all(bytes).and_then(|()| e.finish()).ok()?
            }
            Encoding::Brotli => {
                let mut out = Vec::new();
                {
                    let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, BROTLI_WINDOW);
                    w.write_all(bytes).and_then(|()| w.flush()).ok()?;
                }
                out
            }
        };
        (encoded.len() < bytes.len()).then(|| Bytes::from(encoded))
    }
}

/// An answer kept in memory: the plain bytes, each compressed form (made on first
/// demand and then kept, so a kept answer costs no compression work), and the whole head
/// of each coding's answer, made once: the headers every answer carries, a strong entity
/// tag made from the bytes, `Content-Encoding` and `Vary`. An answer is then the head
/// cloned and the bytes shared, nothing added header by header.
pub struct Encoded {
    plain: Bytes,
    /// The entity tag of each coding: identity, gzip, brotli.
    tags: [HeaderValue; 3],
    /// The head of `200 OK` in each coding.
    heads: [HeaderMap; 3],
    /// The head of `304 Not Modified` in each coding: as `heads` less what describes the
    /// bytes themselves (RFC 9110 15.4.5).
    not_modified: [HeaderMap; 3],
    gzip: OnceLock<Option<Bytes>>,
    brotli: OnceLock<Option<Bytes>>,
}

/// Headers that describe the bytes of a `200 OK`, which a `304 Not Modified` leaves out.
const REPRESENTATION: [header::HeaderName; 3] =
    [header::CONTENT_TYPE, header::CONTENT_DISPOSITION, header::CONTENT_ENCODING];

impl Encoded {
    /// Keep `plain`, answered with `headers`: its content type, and any others every
    /// answer carries (`Content-Disposition`, `Cache-Control`, the security headers).
    pub fn new(headers: HeaderMap, plain: Bytes) -> Encoded {
        use base64::Engine;
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&plain);
        let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..18]);
        // Base64url and quotes only: always a valid header value.
        let tagged = |suffix: &str| {
            HeaderValue::from_str(&format!("\"{tag}{suffix}\"")).unwrap_or(HeaderValue::from_static("\"\""))
        };
        let tags = [tagged(""), tagged("-gzip"), tagged("-br")];
        let codings = [Encoding::Identity, Encoding::Gzip, Encoding::Brotli];
        let head = |coding: Encoding, not_modified: bool| {
            let mut head = HeaderMap::with_capacity(headers.len() + 3);
            for (name, value) in &headers {
                if !(not_modified && REPRESENTATION.contains(name)) {
                    head.append(name.clone(), value.clone());
                }
            }
            if let (Some(t), false) = (coding.token(), not_modified) {
                head.insert(header::CONTENT_ENCODING, HeaderValue::from_static(t));
            }
            head.insert(header::ETAG, tags[coding as usize].clone());
            head.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            head
        };
        Encoded {
            heads: codings.map(|c| head(c, false)),
            not_modified: codings.map(|c| head(c, true)),
            plain,
            tags,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// The bytes in `encoding`, compressed now if this is the first demand; `None` when
    /// the coding saves nothing (the plain bytes are sent).
    fn bytes(&self, encoding: Encoding) -> Option<&Bytes> {
        let slot = match encoding {
            Encoding::Identity => return Some(&self.plain),
            Encoding::Gzip => &self.gzip,
            Encoding::Brotli => &self.brotli,
        };
        slot.get_or_init(|| encoding.encode(&self.plain)).as_ref()
    }

    /// The answer to a request with these headers: in the best coding it accepts, or
    /// `304 Not Modified` with no body when its `If-None-Match` names what it would get.
    pub fn answer(&self, request: &HeaderMap) -> Response {
        let wanted = Encoding::negotiate(request);
        let (encoding, body) = match self.bytes(wanted) {
            Some(b) => (wanted, b),
            None => (Encoding::Identity, &self.plain),
        };
        let etag = &self.tags[encoding as usize];
        let fresh = request
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|t| t.trim())
            .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t).as_bytes() == etag.as_bytes());
        let (status, head, body) = match fresh {
            true => (StatusCode::NOT_MODIFIED, &self.not_modified, Body::empty()),
            false => (StatusCode::OK, &self.heads, Body::from(body.clone())),
        };
        let mut response = Response::new(body);
        *response.status_mut() = status;
        *response.headers_mut() = head[encoding as usize].clone();
        response
    }
}

/// Whether a response not kept in memory is compressed as it is sent: the usual text
/// types, not a PDF, not an answer that chose its own coding and entity tag.
#[derive(Clone, Copy)]
pub struct OnTheFly;

impl Predicate for OnTheFly {
    fn should_compress<B: axum::body::HttpBody>(&self, response: &axum::http::Response<B>) -> bool {
        !response.headers().contains_key(header::ETAG)
            && DefaultPredicate::new().and(NotForContentType::const_new("application/pdf")).should_compress(response)
    }
}

/// The layer that compresses, as they are sent, the answers that are not kept: gzip or
/// brotli, as the client accepts.
pub fn on_the_fly() -> CompressionLayer<OnTheFly> {
    CompressionLayer::new().no_deflate().no_zstd().compress_when(OnTheFly)
}
