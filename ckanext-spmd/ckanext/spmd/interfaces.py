"""Plugin interfaces that ckanext-spmd offers to other extensions."""
from __future__ import annotations

from typing import Any

from ckan.plugins.interfaces import Interface


class IDataAccess(Interface):
    """Who may have the *data* of a dataset whose access class is not open.

    ckanext-spmd masks the data of every dataset whose ``access_class`` is not
    ``open`` (resource URLs and uploaded files, in every channel: the API,
    search results, the activity stream, views, previews, the datastore, RDF,
    the download route). Metadata stays public. The data is released to a
    user only when a plugin implementing this interface says so; sysadmins
    always have it. ckanext-spmd implements it for ``restricted`` (producer
    organisation and approved access requests); ckanext-consent implements it
    for ``personal`` (whose rows only leave through the consent-gated
    download).
    """

    def data_access_classes(self) -> list[str]:
        """The access classes this plugin decides for (e.g. ``["personal"]``)."""
        return []

    def can_access_data(self, user_name: str | None, pkg_dict: dict[str, Any]) -> bool | None:
        """``True`` releases the data of ``pkg_dict`` to ``user_name`` (None:
        anonymous), ``False`` refuses it, ``None`` leaves the decision to the
        other plugins (refused when none releases it).

        Called often (once per dataset shown or found): keep it to a fixed
        number of queries, cache per request where useful.
        """
        return None
