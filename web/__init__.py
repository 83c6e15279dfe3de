"""dondoc's web pages: the secretariat's console and the units' pages. One more thin edge:
every page parses its input, calls the services, and renders one context (as HTML, or as
JSON for ``?format=json``)."""
