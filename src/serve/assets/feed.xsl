<?xml version="1.0" encoding="utf-8"?>
<!-- feedsift: shows an Atom or RSS output feed opened in a browser as a readable page, with a
     hint on how to subscribe. Readers ignore it. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
    <xsl:variable name="self" select="atom:feed/atom:link[@rel='self']/@href | rss/channel/atom:link[@rel='self']/@href"/>
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <link rel="stylesheet" href="/static/style.css"/>
      </head>
      <body>
        <header class="site"><a href="/">feedsift</a><nav><a href="/">Topics</a> <a href="/feeds">Feeds</a></nav></header>
        <main>
          <h1><xsl:value-of select="$title"/></h1>
          <p class="feed-hint">This is a feed: copy its address into your feed reader to subscribe.<br/>
            <code><xsl:value-of select="$self"/></code></p>
          <xsl:apply-templates select="atom:feed/atom:entry | rss/channel/item"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article class="story">
      <h3><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <p class="meta"><xsl:value-of select="atom:source/atom:title"/> · <xsl:value-of select="translate(substring(atom:published, 1, 16), 'T', ' ')"/> UTC</p>
      <xsl:if test="atom:link[@rel='related']">
        <p class="also">Also reported by
          <xsl:for-each select="atom:link[@rel='related']">
            <xsl:if test="position() &gt; 1">, </xsl:if>
            <a href="{@href}"><xsl:value-of select="@title"/></a>
          </xsl:for-each>
        </p>
      </xsl:if>
    </article>
  </xsl:template>

  <xsl:template match="item">
    <article class="story">
      <h3><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <p class="meta"><xsl:value-of select="source"/> · <xsl:value-of select="pubDate"/></p>
    </article>
  </xsl:template>
</xsl:stylesheet>
