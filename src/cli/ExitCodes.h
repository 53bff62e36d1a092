#pragma once

// session-revoker-cli exit codes; scripts branch on these.
enum ExitCode
{
    ExitSuccess = 0,
    ExitFailure = 1,     // anything not listed below
    ExitUsage = 2,       // bad command line or unusable settings
    ExitNotSignedIn = 3, // no stored sign-in, or it can no longer be used
    ExitDenied = 4,      // sign-in declined or cancelled; permission denied
};
