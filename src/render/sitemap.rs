//! sitemap.xml (a sitemap index with parts beyond 50,000 URLs) and robots.txt.

use crate::escape;

/// The sitemap protocol's limit of URLs per file.
pub const URLS_PER_SITEMAP: usize = 50_000;

/// Files to write: `sitemap.xml` and, for large sites, `sitemap-N.xml` parts it indexes.
pub fn sitemaps(urls: &[String], base_url: &str) -> Vec<(String, String)> {
    if urls.len() <= URLS_PER_SITEMAP {
        return vec![("sitemap.xml".into(), urlset(urls))];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (n, chunk) in urls.chunks(URLS_PER_SITEMAP).enumerate() {
        let name = format!("sitemap-{}.xml", n + 1);
        index.push_str(&format!(
            "  <sitemap><loc>{}</loc></sitemap>\n",
            escape::xml(&format!("{base_url}{name}"))
        ));
        files.push((name, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".into(), index));
    files
}

fn urlset(urls: &[String]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for url in urls {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape::xml(url));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn robots(base_url: &str) -> String {
    format!("User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sites_get_one_urlset() {
        let files = sitemaps(&["https://x/a&b/".into()], "https://x/");
        assert_eq!(files.len(), 1);
        assert!(files[0].1.contains("<loc>https://x/a&amp;b/</loc>"));
    }

    #[test]
    fn large_sites_get_an_index_and_parts() {
        let urls: Vec<String> = (0..URLS_PER_SITEMAP + 1)
            .map(|i| format!("https://x/{i}/"))
            .collect();
        let files = sitemaps(&urls, "https://x/");
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]);
        assert!(
            files[0].1.contains("<sitemapindex") && files[0].1.contains("https://x/sitemap-2.xml")
        );
        assert_eq!(files[2].1.matches("<url>").count(), 1);
    }
}
