/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The dashboard is self-hosted: no image optimiser, no remote fonts, nothing fetched at build.
  images: { unoptimized: true },
};

export default nextConfig;
