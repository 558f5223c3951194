//! A local HTTP server that answers as Fingertips' "all data" CSV endpoint does (or with
//! an error status, or not at all), with the endpoint's real columns: shared by the
//! use-case tests of `assure-app` and the command-line tests of `assure`, each of which
//! includes this file as a module.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The columns of Fingertips' "all data" CSV, in its order.
pub const HEADER: &str = "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,\
Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Lower CI 99.8 limit,\
Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend,Compared to England value or percentiles,\
Compared to percentiles,Time period Sortable,New data,Compared to goal,Time period range\n";

/// One row of indicator 93085 (smoking at time of delivery) in that layout.
pub fn row(code: &str, name: &str, area_type: &str, period: &str, value: &str, count: u32, denominator: u32) -> String {
    format!(
        "93085,Smoking status at time of delivery,E92000001,England,{code},{name},{area_type},Female,All ages,,,\
         {period},{value},,,,,{count},{denominator},,Cannot be calculated,Not compared,Not compared,20220000,,,1y\n"
    )
}

/// England, Kent, Medway and an authority outside the plan, for two years.
pub fn answer() -> String {
    let mut csv = HEADER.to_owned();
    for (period, shift) in [("2021/22", 0), ("2022/23", 40)] {
        csv += &row("E92000001", "England", "England", period, "9.1", 52000 - shift, 571000);
        csv += &row("E10000016", "Kent", "Counties & UAs (from Apr 2023)", period, "9.8", 1490 - shift, 15200);
        csv += &row("E06000035", "Medway", "Counties & UAs (from Apr 2023)", period, "12.4", 390, 3140 + shift);
        csv += &row("E06000001", "Hartlepool", "Counties & UAs (from Apr 2023)", period, "15.0", 150, 1000);
    }
    csv
}

/// What the local server answers.
#[derive(Clone)]
pub enum Reply {
    /// 200 with this CSV.
    Csv(String),
    /// This status with this body.
    Status(u16, String),
    /// Accept the connection, read the request, never answer.
    Silent,
}

/// A local HTTP server answering every request with the current [`Reply`], recording
/// each request's target.
pub struct Fake {
    pub base: String,
    pub requests: Arc<Mutex<Vec<String>>>,
    reply: Arc<Mutex<Reply>>,
}

impl Fake {
    pub fn start(reply: Reply) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let reply = Arc::new(Mutex::new(reply));
        let (seen, answer) = (requests.clone(), reply.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (seen, answer) = (seen.clone(), answer.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    seen.lock().unwrap().push(line.split(' ').nth(1).unwrap_or_default().to_owned());
                    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                        line.clear();
                    }
                    let reply = answer.lock().unwrap().clone();
                    let (status, body) = match reply {
                        Reply::Csv(body) => (200, body),
                        Reply::Status(status, body) => (status, body),
                        Reply::Silent => {
                            std::thread::sleep(Duration::from_secs(60));
                            return;
                        }
                    };
                    let head = format!(
                        "HTTP/1.1 {status} Whatever\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(body.as_bytes());
                });
            }
        });
        Fake { base, requests, reply }
    }

    pub fn set(&self, reply: Reply) {
        *self.reply.lock().unwrap() = reply;
    }
}
