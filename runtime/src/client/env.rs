//! The environment variables [`Client::from_env`](super::Client::from_env) reads, and how the
//! builder reads them.

use super::ClientBuilder;

/// The app's AppKey.
pub const APP_KEY: &str = "DINGTALK_APP_KEY";
/// The app's AppSecret.
pub const APP_SECRET: &str = "DINGTALK_APP_SECRET";
/// Overrides the oapi host (and with it the robot webhook).
pub const OAPI_BASE_URL: &str = "DINGTALK_OAPI_BASE_URL";
/// Overrides the v1.0 host.
pub const API_BASE_URL: &str = "DINGTALK_API_BASE_URL";
/// The group robot's webhook `access_token` (read with the `robot` feature only).
pub const ROBOT_TOKEN: &str = "DINGTALK_ROBOT_TOKEN";
/// The group robot's signing secret (`SEC…`; read with the `robot` feature only).
pub const ROBOT_SECRET: &str = "DINGTALK_ROBOT_SECRET";

impl<C> ClientBuilder<C> {
    /// Reads the settings of [`from_env`](ClientBuilder::from_env) through `lookup`.
    pub(super) fn env_from(mut self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        // Without the `robot` feature the robot's variables mean nothing to this client.
        let get_robot = |name: &str| get(name).filter(|_| cfg!(feature = "robot"));
        let robot_token = get_robot(ROBOT_TOKEN);
        match (get(APP_KEY), get(APP_SECRET)) {
            (Some(key), Some(secret)) => self = self.app_credentials(key, secret),
            (Some(_), None) => self
                .problems
                .push(format!("{} is not set ({} is)", APP_SECRET, APP_KEY)),
            (None, Some(_)) => self
                .problems
                .push(format!("{} is not set ({} is)", APP_KEY, APP_SECRET)),
            (None, None) if robot_token.is_none() => {
                self.problems
                    .push(format!("{} and {} are not set", APP_KEY, APP_SECRET));
            }
            (None, None) => {}
        }
        if let Some(url) = get(OAPI_BASE_URL) {
            self = self.oapi_base_url(url);
        }
        if let Some(url) = get(API_BASE_URL) {
            self = self.api_base_url(url);
        }
        match (robot_token, get_robot(ROBOT_SECRET)) {
            (Some(token), secret) => {
                self = self.robot_token(token);
                if let Some(secret) = secret {
                    self = self.robot_secret(secret);
                }
            }
            (None, Some(_)) => self
                .problems
                .push(format!("{} is not set ({} is)", ROBOT_TOKEN, ROBOT_SECRET)),
            (None, None) => {}
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use crate::client::Client;
    use crate::client::env;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    #[test]
    fn env_names_the_missing_variable() {
        let e = Client::builder()
            .env_from(env_of(&[(env::APP_KEY, "k")]))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("DINGTALK_APP_SECRET"), "{e}");
        let e = Client::builder()
            .env_from(env_of(&[(env::APP_SECRET, "s")]))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("DINGTALK_APP_KEY"), "{e}");
        let e = Client::builder().env_from(env_of(&[])).build().unwrap_err();
        assert!(e.to_string().contains("DINGTALK_APP_KEY"), "{e}");
        #[cfg(feature = "robot")]
        {
            let e = Client::builder()
                .env_from(env_of(&[
                    (env::APP_KEY, "k"),
                    (env::APP_SECRET, "s"),
                    (env::ROBOT_SECRET, "SEC1"),
                ]))
                .build()
                .unwrap_err();
            assert!(e.to_string().contains("DINGTALK_ROBOT_TOKEN"), "{e}");
        }
        let e = Client::builder()
            .env_from(env_of(&[
                (env::APP_KEY, "k"),
                (env::APP_SECRET, "s"),
                (env::OAPI_BASE_URL, "http://10.0.0.1"),
            ]))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("oapi base URL"), "{e}");
    }

    #[test]
    fn env_configures_the_client() {
        let client = Client::builder()
            .env_from(env_of(&[
                (env::APP_KEY, "dingkey"),
                (env::APP_SECRET, "hunter2"),
                (env::OAPI_BASE_URL, "http://127.0.0.1:1/"),
                (env::API_BASE_URL, "http://127.0.0.1:2"),
                (env::ROBOT_TOKEN, "robottoken"),
            ]))
            .build()
            .unwrap();
        assert_eq!(client.inner.transport.oapi_base(), "http://127.0.0.1:1");
        assert_eq!(client.inner.transport.api_base(), "http://127.0.0.1:2");
        let shown = format!("{client:?}");
        assert!(shown.contains("dingkey"));
        assert!(
            !shown.contains("hunter2") && !shown.contains("robottoken"),
            "{shown}"
        );
        // Only the robot, no app: fine when the client knows robots.
        assert_eq!(
            Client::builder()
                .env_from(env_of(&[(env::ROBOT_TOKEN, "t")]))
                .build()
                .is_ok(),
            cfg!(feature = "robot")
        );
    }
}
