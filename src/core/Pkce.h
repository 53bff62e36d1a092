#pragma once

#include <QByteArray>

// Proof Key for Code Exchange (RFC 7636), S256 only: Entra requires it for public clients.
struct Pkce
{
    QByteArray verifier;  // 43..128 characters of [A-Za-z0-9-._~]
    QByteArray challenge; // BASE64URL(SHA256(verifier)), no padding

    static Pkce generate();
    static QByteArray challengeFor(const QByteArray& verifier);
    // `bytes` random bytes from the system CSPRNG, base64url without padding (state, nonce, verifier).
    static QByteArray randomUrlSafe(int bytes);
};
