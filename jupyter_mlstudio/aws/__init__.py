"""The AWS wire protocols the server speaks: request signing (SigV4) and its keyring."""
