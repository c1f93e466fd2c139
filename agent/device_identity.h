// posfleet agent: the terminal's own key pair and certificate (mutual TLS).
//
// At enrolment (enroll.h) the agent makes an EC P-256 key pair in memory and
// a certificate signing request for its serial; only the CSR goes to the
// server. Once the server answers with the certificate, the key is written to
// <device_dir>/client.key (mode 0600, never sent anywhere), the certificate to
// <device_dir>/client.crt and the device CA that issued it to
// <device_dir>/device-ca.crt, and the config gains "client_cert" and
// "client_key". A terminal enrolled before certificates gets one the same way
// with `posfleet-agent certificate`, proving itself with its DDI token.
// Thread-safety: called once from main.
#pragma once

#include <boost/json/object.hpp>

#include <memory>
#include <string>

#include "core/result.h"

namespace posfleet::agent {

// A new key pair and its CSR (PEM, subject CN = `serial`).
class DeviceKey {
 public:
  static Expected<DeviceKey> generate(const std::string& serial);
  const std::string& csr_pem() const { return csr_pem_; }
  const std::string& key_pem() const { return key_pem_; }

  // Writes key, certificate and device CA into `device_dir` once the
  // certificate is checked to hold this key and name `serial`; then points
  // `config` ("client_cert", "client_key") at them (the caller saves it).
  Status install(const std::string& device_dir, const std::string& serial,
                 const std::string& cert_pem, const std::string& device_ca_pem,
                 boost::json::object& config) const;

 private:
  std::string csr_pem_, key_pem_;
};

// `posfleet-agent certificate`: an enrolled terminal (token in `config_path`)
// asks the server for a certificate and installs it as above.
Status request_certificate(const std::string& config_path);

// The agent's config file as a JSON object (enrolment edits it as such).
Expected<boost::json::object> read_config_object(const std::string& config_path);

// The device directory named in a config object, resolved against the
// config file's folder as Config::load does.
std::string device_dir_of(const std::string& config_path, const boost::json::object& config);

}  // namespace posfleet::agent
