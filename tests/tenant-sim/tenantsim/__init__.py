"""tenant-sim: an offline simulator of Microsoft Entra ID (identity platform v2.0) and Microsoft Graph."""
