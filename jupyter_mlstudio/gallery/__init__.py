"""The example gallery: browse, preview, use, share and review example notebooks."""
