"""What the site says about itself. app.py (metadata routes) and ui.py (page title) both read it."""

SITE_NAME = "Sales Dashboard"
SHORT_NAME = "Sales"
DESCRIPTION = "Daily sales figures by region, updated every morning."
THEME_COLOR = "#ff4b4b"
BACKGROUND_COLOR = "#ffffff"
# Every public page path. The sitemap lists them and each one is served with the SEO head tags.
# With st.navigation, add each page's url_path here ("/reports", ...).
PAGES = ["/"]
