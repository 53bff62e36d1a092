#pragma once

// session-revoker-cli exit codes; scripts branch on these.
enum ExitCode
{
    ExitSuccess = 0,
    ExitFailure = 1,     // anything not listed below (network, server errors, the audit log could not be written)
    ExitUsage = 2,       // bad command line, unusable settings, or a revocation nobody confirmed on a terminal
    ExitNotSignedIn = 3, // no stored sign-in, or it can no longer be used
    ExitDenied = 4,      // sign-in declined or cancelled; permission denied (HTTP 403); confirmation not typed
    ExitNotFound = 5,    // no such user (HTTP 404)
    ExitThrottled = 6,   // Microsoft Graph kept throttling (HTTP 429) after the allowed retries
};
