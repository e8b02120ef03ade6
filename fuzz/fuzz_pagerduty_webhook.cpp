// Whatever reaches the PagerDuty webhook endpoint: parsing never throws or crashes, and an incident
// key that names one of our incidents reads back to exactly that key; checking a signature never
// throws, a header verifies only when it holds the body's digest, and that digest always verifies,
// among other entries too. The input is the body, and also "header line \n body".
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/paging/pagerduty_webhook.hpp"
#include "adapters/paging/paging.hpp"

namespace {

constexpr std::string_view secret = "whsec-fuzz";

std::string signature_of(std::string_view body) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<unsigned char const*>(body.data()), body.size(), mac, &length);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "v1=";
    for (unsigned int k = 0; k < length; ++k) {
        out += hex[mac[k] >> 4];
        out += hex[mac[k] & 0x0F];
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace warroom::paging;
    std::string_view const input(reinterpret_cast<char const*>(data), size);
    // First line: an X-PagerDuty-Signature header; the rest: the body it claims to sign.
    auto const newline = input.find('\n');
    auto const header = input.substr(0, newline);
    auto const body = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
    for (auto const text : {input, body}) {
        auto const e = parse_webhook(text);
        if (!e) continue;
        if (auto const n = warroom::core::incident_of_page_key(e->incident_key);
            n && warroom::core::page_dedup_key(*n) != e->incident_key)
            __builtin_trap();
    }
    if (verify_signature(body, header, secret)) {
        // Only the right digest verifies (hex digits in either case).
        std::string lower(header);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.find(signature_of(body)) == std::string::npos) __builtin_trap();
    }
    if (!verify_signature(input, signature_of(input), secret)) __builtin_trap();
    if (!verify_signature(body, "v2=x," + std::string(header) + "," + signature_of(body), secret)) __builtin_trap();
    return 0;
}
