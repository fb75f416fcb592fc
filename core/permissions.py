"""Role checks for views. Object-level checks live in the selectors: a view only ever fetches
objects through a selector that is scoped to the user, so another party's id answers 404."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def _role_required(test):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = _role_required(lambda u: u.is_staff)
# A company member may not have created the company yet: the portal then leads them to it.
company_side_required = _role_required(lambda u: not u.is_staff and not u.operator_id)
operator_required = _role_required(lambda u: bool(u.operator_id) and not u.is_staff)
