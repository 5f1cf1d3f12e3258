#pragma once

// Whether this test was built by the sanitizer stage of scripts/test (FLEETMON_SANITIZE). There,
// AddressSanitizer keeps freed memory in quarantine and shadows every byte, so resident-memory
// bounds say nothing about the code; the plain build's run of the same test proves them.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizerBuild = true;
#else
inline constexpr bool kAddressSanitizerBuild = false;
#endif
#else
inline constexpr bool kAddressSanitizerBuild = false;
#endif
